using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Heartbeat;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Storage;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>The payload shapes the Functions host POSTs to the handler, sent as the host sends them.</summary>
public class ContractTests() : AppTestBase(new TestApp())
{
    private const string TimerPayload = """
        {
          "Data": {
            "timer": {
              "Schedule": { "AdjustForDST": true },
              "ScheduleStatus": { "Last": "2026-11-22T02:00:00+00:00", "Next": "2026-11-22T02:05:00+00:00", "LastUpdated": "2026-11-22T02:00:00.1+00:00" },
              "IsPastDue": false
            }
          },
          "Metadata": { "sys": { "MethodName": "Heartbeat", "UtcNow": "2026-11-22T02:05:00.01Z", "RandGuid": "0f1c4a8e-6f6b-4c0e-9d0e-3a1d5c2b7e90" } }
        }
        """;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_timer_payload_runs_Heartbeat_and_answers_Outputs_Logs_ReturnValue()
    {
        var response = await Client.PostAsync("/Heartbeat", Json(TimerPayload));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(body.ContainsKey("Outputs"));
        Assert.NotEmpty(body["Logs"]!.AsArray());
        var rowKey = body["ReturnValue"]!.GetValue<string>();

        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        var beat = (await table.GetEntityAsync<HeartbeatEntity>(HeartbeatEntity.Partition, rowKey)).Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 2, 5, 0, TimeSpan.Zero), beat.ScheduledFor);
        Assert.False(beat.IsPastDue);
    }

    [Fact]
    public async Task A_timer_value_sent_as_JSON_text_is_read_too()
    {
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["timer"] = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}""" },
            ["Metadata"] = new JsonObject(),
        };

        var response = await Client.PostAsync("/Heartbeat", Json(payload.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rowKey = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["ReturnValue"]!.GetValue<string>();
        var table = App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Heartbeats);
        Assert.True((await table.GetEntityAsync<HeartbeatEntity>(HeartbeatEntity.Partition, rowKey)).Value.IsPastDue);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_queue_payload_dispatches_an_outbox_entry_once(bool doubleEncoded)
    {
        var pointer = await StageHeartbeatEntryAsync();
        var message = JsonSerializer.Serialize(pointer);
        var payload = QueuePayload(doubleEncoded ? JsonSerializer.Serialize(message) : message);

        var first = await Client.PostAsync("/OutboxDispatch", Json(payload));
        var second = await Client.PostAsync("/OutboxDispatch", Json(payload));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("already dispatched", await second.Content.ReadAsStringAsync());
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

        var response = await Client.PostAsync("/OutboxDispatch", Json(QueuePayload(JsonSerializer.Serialize(pointer))));

        await ProblemAsync(response, HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task A_batch_message_dispatches_every_pointer_it_names_once()
    {
        var pointers = new[] { await StageHeartbeatEntryAsync(), await StageHeartbeatEntryAsync(), await StageHeartbeatEntryAsync() };
        var message = OutboxBatch.Message(pointers);
        Assert.StartsWith("{\"Pointers\":[", message);
        var payload = QueuePayload(message);

        var first = await Client.PostAsync("/OutboxDispatch", Json(payload));
        var second = await Client.PostAsync("/OutboxDispatch", Json(payload));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(3, JsonNode.Parse(await first.Content.ReadAsStringAsync())!["Logs"]!.AsArray().Count(l => l!.GetValue<string>().StartsWith("Dispatched", StringComparison.Ordinal)));
        Assert.Equal(3, JsonNode.Parse(await second.Content.ReadAsStringAsync())!["Logs"]!.AsArray().Count(l => l!.GetValue<string>().Contains("already dispatched")));
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

        var response = await Client.PostAsync("/OutboxDispatch", Json(QueuePayload(OutboxBatch.Message([bad, good]))));

        await ProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.NotNull((await table.GetEntityAsync<OutboxEntry>(good.PartitionKey, good.RowKey)).Value.DispatchedAt);
        Assert.Null((await table.GetEntityAsync<OutboxEntry>(bad.PartitionKey, bad.RowKey)).Value.DispatchedAt);
    }

    [Theory]
    [InlineData("{\"Data\":{\"message\":\"{\\\"Table\\\":\\\"Secrets\\\",\\\"PartitionKey\\\":\\\"p\\\",\\\"RowKey\\\":\\\"outbox-1\\\"}\"},\"Metadata\":{}}", "Secrets")]
    [InlineData("{\"Data\":{},\"Metadata\":{}}", "binding 'message'")]
    [InlineData("{\"Data\":{\"message\":\"not json\"},\"Metadata\":{}}", "not JSON")]
    [InlineData("{\"Data\": [", "not valid JSON")]
    public async Task A_malformed_invocation_is_a_400_problem_naming_what_is_wrong(string body, string expected)
    {
        var response = await Client.PostAsync("/OutboxDispatch", Json(body));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invocation_that_is_not_JSON_is_a_415_problem()
    {
        var response = await Client.PostAsync("/Heartbeat", new StringContent(TimerPayload, Encoding.UTF8, "text/plain"));

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
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

    private static string QueuePayload(string messageValue) => new JsonObject
    {
        ["Data"] = new JsonObject { ["message"] = messageValue },
        ["Metadata"] = new JsonObject
        {
            ["DequeueCount"] = 1,
            ["ExpirationTime"] = "2026-11-29T02:00:00+00:00",
            ["Id"] = Guid.NewGuid().ToString(),
            ["InsertionTime"] = "2026-11-22T02:00:00+00:00",
            ["NextVisibleTime"] = "2026-11-22T02:10:00+00:00",
            ["PopReceipt"] = "AgAAAAMAAAAAAAAAAgtnj8x+1QE=",
            ["sys"] = new JsonObject { ["MethodName"] = "OutboxDispatch", ["UtcNow"] = "2026-11-22T02:00:01Z", ["RandGuid"] = Guid.NewGuid().ToString() },
        },
    }.ToJsonString();
}
