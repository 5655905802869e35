using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Heartbeat;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The timer and queue handlers run as the host's wrappers and the local runner run them: an occurrence or a message in,
/// log lines and a return value out, an exception failing the invocation so that it is retried.
/// </summary>
public class TriggerHandlerTests() : AppTestBase(new TestApp())
{
    [Fact]
    public async Task Heartbeat_records_the_occurrence_it_runs_for()
    {
        var status = new ScheduleStatus(new DateTime(2026, 11, 22, 2, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 22, 2, 5, 0, DateTimeKind.Utc), new DateTime(2026, 11, 22, 2, 0, 0, 100, DateTimeKind.Utc));

        var result = await App.RunTimerAsync("Heartbeat", new TimerState(status, IsPastDue: false));

        Assert.NotEmpty(result.Logs);
        var rowKey = Assert.IsType<string>(result.ReturnValue);
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        var beat = (await table.GetEntityAsync<HeartbeatEntity>(HeartbeatEntity.Partition, rowKey)).Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 2, 5, 0, TimeSpan.Zero), beat.ScheduledFor);
        Assert.False(beat.IsPastDue);
    }

    [Fact]
    public async Task A_past_due_occurrence_is_recorded_as_past_due()
    {
        var result = await App.RunTimerAsync("Heartbeat", new TimerState(null, IsPastDue: true));

        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        Assert.True((await table.GetEntityAsync<HeartbeatEntity>(HeartbeatEntity.Partition, (string)result.ReturnValue!)).Value.IsPastDue);
    }

    [Fact]
    public async Task An_outbox_message_dispatches_its_entry_once()
    {
        var pointer = await StageHeartbeatEntryAsync();
        var message = JsonSerializer.Serialize(pointer);

        await App.RunQueueAsync("OutboxDispatch", message);
        var second = await App.RunQueueAsync("OutboxDispatch", message);

        Assert.Contains("already dispatched", second.Text());
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        Assert.NotNull((await table.GetEntityAsync<OutboxEntry>(pointer.PartitionKey, pointer.RowKey)).Value.DispatchedAt);
    }

    [Fact]
    public async Task An_outbox_entry_of_unknown_kind_fails_the_invocation_so_the_host_retries()
    {
        var outbox = App.Services.GetRequiredService<TransactionalOutbox>();
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        var action = outbox.Stage(StorageNames.Tables.Heartbeats, $"test-{Guid.NewGuid():N}", "no.such.kind", new { }, out var pointer);
        await table.SubmitTransactionAsync([action]);

        var outcome = await App.TryRunQueueAsync("OutboxDispatch", JsonSerializer.Serialize(pointer));

        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task A_batch_message_dispatches_every_pointer_it_names_once()
    {
        var pointers = new[] { await StageHeartbeatEntryAsync(), await StageHeartbeatEntryAsync(), await StageHeartbeatEntryAsync() };
        var message = OutboxBatch.Message(pointers);
        Assert.StartsWith("{\"Pointers\":[", message);

        var first = await App.RunQueueAsync("OutboxDispatch", message);
        var second = await App.RunQueueAsync("OutboxDispatch", message);

        Assert.Equal(3, first.Logs.Count(l => l.StartsWith("Dispatched", StringComparison.Ordinal)));
        Assert.Equal(3, second.Logs.Count(l => l.Contains("already dispatched")));
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        foreach (var pointer in pointers)
        {
            Assert.NotNull((await table.GetEntityAsync<OutboxEntry>(pointer.PartitionKey, pointer.RowKey)).Value.DispatchedAt);
        }
    }

    [Fact]
    public async Task A_failing_pointer_in_a_batch_fails_the_invocation_but_the_others_are_dispatched()
    {
        var outbox = App.Services.GetRequiredService<TransactionalOutbox>();
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        var action = outbox.Stage(StorageNames.Tables.Heartbeats, $"test-{Guid.NewGuid():N}", "no.such.kind", new { }, out var bad);
        await table.SubmitTransactionAsync([action]);
        var good = await StageHeartbeatEntryAsync();

        var outcome = await App.TryRunQueueAsync("OutboxDispatch", OutboxBatch.Message([bad, good]));

        Assert.False(outcome.Succeeded);
        Assert.NotNull((await table.GetEntityAsync<OutboxEntry>(good.PartitionKey, good.RowKey)).Value.DispatchedAt);
        Assert.Null((await table.GetEntityAsync<OutboxEntry>(bad.PartitionKey, bad.RowKey)).Value.DispatchedAt);
    }

    [Theory]
    [InlineData("OutboxDispatch", "{\"Table\":\"Secrets\",\"PartitionKey\":\"p\",\"RowKey\":\"outbox-1\"}", "Secrets")]
    [InlineData("OutboxDispatch", "not json", "not JSON")]
    [InlineData("NplPrepareDay", "{\"attempt\":0}", "a date and an attempt")]
    [InlineData("NplShard", "[]", "not a ShardMessage")]
    public async Task A_malformed_message_fails_the_invocation_naming_what_is_wrong(string function, string message, string expected)
    {
        var outcome = await App.TryRunQueueAsync(function, message);

        Assert.False(outcome.Succeeded);
        Assert.StartsWith(nameof(InvalidInvocationException), outcome.Error);
        Assert.Contains(expected, outcome.Error);
    }

    private async Task<OutboxPointer> StageHeartbeatEntryAsync()
    {
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        var rowKey = HeartbeatEntity.RowKeyFor(DateTimeOffset.UtcNow.AddTicks(Random.Shared.Next(1, 1_000_000)));
        var action = App.Services.GetRequiredService<TransactionalOutbox>().Stage(StorageNames.Tables.Heartbeats, HeartbeatEntity.Partition,
            HeartbeatRoundTripHandler.KindName, new HeartbeatRoundTripHandler.Payload(rowKey), out var pointer);
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new HeartbeatEntity { RowKey = rowKey, FiredAt = DateTimeOffset.UtcNow }), action]);
        return pointer;
    }
}
