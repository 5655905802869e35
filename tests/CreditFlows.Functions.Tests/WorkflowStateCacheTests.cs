using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Storage;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// Two app instances on the same storage, as when Azure scales the function app out: each keeps its own cache
/// of state rows, so one instance's cache goes stale whenever the other writes. A stale entry must never decide a
/// command: the command runs again on a fresh read, and the log stays one event per transition.
/// </summary>
public sealed class WorkflowStateCacheTests() : AppTestBase(new TestApp()), IAsyncLifetime
{
    private readonly TestApp _other = new();

    private Loans Loans => field ??= new Loans(App);

    private Loans OnOtherInstance => field ??= new Loans(_other);

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _other.Start();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _other.DisposeAsync();
        await DisposeAsync();
    }

    [Fact]
    public async Task A_command_leaves_the_stored_row_and_its_etag_in_the_cache()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);

        var cache = App.Services.GetRequiredService<ApplicationStateCache>();
        Assert.True(cache.TryGet(id, out var document, out var etag));
        var stored = (await new TableServiceClient(Azurite.ConnectionString).GetTableClient("Applications")
            .GetEntityAsync<TableEntity>(id, "state")).Value;
        Assert.Equal(stored.ETag, etag);
        Assert.Equal(TableText.Read(stored, "Doc"), document);
        Assert.Contains("\"Submitted\"", document);
    }

    [Fact]
    public async Task A_command_the_stale_cache_would_refuse_runs_on_the_current_state()
    {
        var id = await Loans.OpenAsync(); // This instance caches Draft, version 1.
        await OnOtherInstance.CommandAsync(OnOtherInstance.Officer, id, "submit", null);

        // The cache says Draft, where an investigation is refused; the stored state accepts it.
        var answer = await Loans.CommandAsync(Loans.Officer, id, "investigation",
            new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });

        Assert.Equal("Review", Loans.State(answer));
        Assert.Equal(3, answer["version"]!.GetValue<int>());
        AssertLog(await Loans.HistoryAsync(id), "open", "submit", "investigation.submit");
    }

    [Fact]
    public async Task A_command_the_stale_cache_would_accept_is_refused_by_the_current_state_and_writes_nothing()
    {
        var id = await Loans.OpenAsync();
        await OnOtherInstance.CommandAsync(OnOtherInstance.Officer, id, "withdraw", new JsonObject { ["reason"] = "Borrower changed plans." });

        // The cache says Draft, where submit is fine; the write fails on the ETag, and the fresh state refuses.
        var problem = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "submit", null), HttpStatusCode.Conflict);

        Assert.Equal("Withdrawn", problem["currentState"]!.GetValue<string>());
        AssertLog(await Loans.HistoryAsync(id), "open", "withdraw");
    }

    [Fact]
    public async Task If_match_is_judged_against_the_stored_version_not_the_cached_one()
    {
        var id = await Loans.OpenAsync();
        await OnOtherInstance.CommandAsync(OnOtherInstance.Officer, id, "submit", null);

        // The client read version 2 from the other instance; this instance's cache still holds version 1.
        var answer = await Loans.CommandAsync(Loans.Officer, id, "investigation",
            new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true }, ifMatch: "\"2\"");
        Assert.Equal(3, answer["version"]!.GetValue<int>());

        // And a version that really is old is still refused.
        var stale = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "x" }, ifMatch: "\"2\""),
            HttpStatusCode.PreconditionFailed);
        Assert.Equal(3, stale["currentVersion"]!.GetValue<int>());
        AssertLog(await Loans.HistoryAsync(id), "open", "submit", "investigation.submit");
    }

    [Fact]
    public async Task Instances_taking_turns_on_one_application_store_every_transition_once()
    {
        var id = await Loans.OpenAsync();
        await OnOtherInstance.CommandAsync(OnOtherInstance.Officer, id, "submit", null);
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        await OnOtherInstance.CommandAsync(OnOtherInstance.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        var approved = await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());

        Assert.Equal("Approved", Loans.State(approved));
        AssertLog(await Loans.HistoryAsync(id), "open", "submit", "investigation.submit", "review.pass", "decision.approve");
    }

    private static void AssertLog(JsonArray history, params string[] commands)
    {
        Assert.Equal(commands, Loans.Commands(history));
        Assert.Equal(Enumerable.Range(1, commands.Length), history.Select(e => e!["sequence"]!.GetValue<int>()));
    }
}
