using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// Base of the committee vote tests over HTTP on Azurite. The committee here includes the HQ credit officer, who also decides at
/// the HqCreditDept tier, so the conflict rule can be seen; the clock is a day ahead so no other test's runner
/// fires these timers.
/// </summary>
public abstract class CommitteeApiTestBase : AppTestBase
{
    private static readonly DateTimeOffset T0 = new(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
    private readonly ManualTime _clock = new(T0);

    protected CommitteeApiTestBase(string deadlineOutcome)
        : base(new TestApp(settings: new Dictionary<string, string?>
        {
            ["Workflow:Committee:Members:0"] = "cm-1",
            ["Workflow:Committee:Members:1"] = "cm-2",
            ["Workflow:Committee:Members:2"] = "credit-hq",
            ["Workflow:Committee:Members:3"] = "chair",
            ["Workflow:Committee:Chair"] = "chair",
            ["Workflow:Committee:DeadlineOutcome"] = deadlineOutcome,
        }))
    {
        App.WithServices(s => s.AddSingleton(new BusinessClock(_clock, TimeZoneInfo.Utc)));
    }

    protected Loans Loans => field ??= new Loans(App);

    protected HttpClient Cm1 => field ??= Loans.As("cm-1", "HQ", Role.CommitteeMember);

    protected HttpClient Cm2 => field ??= Loans.As("cm-2", "HQ", Role.CommitteeMember);

    protected static JsonObject Ballot(string vote, string opinion) => new() { ["vote"] = vote, ["opinion"] = opinion };

    /// <summary>A 15 million yuan mortgage approved by the director and HQ credit: it waits for the committee.</summary>
    protected async Task<(string Id, int Version)> AtCommitteeAsync()
    {
        var id = await Loans.ToReviewAsync(amount: 15_000_000m, guarantee: "Mortgage");
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        var reached = await Loans.CommandAsync(Loans.HqCredit, id, "decision", Loans.Approve());
        return (id, reached["version"]!.GetValue<int>());
    }

    protected async Task<string> FireEscalationAsync(string id, int stageVersion)
    {
        var timer = (await Effects.TimersAsync(App, id)).Single(t => t.Kind == TimerKind.Escalation && t.Version == stageVersion);
        _clock.Now = timer.DueAt;
        return await App.Services.GetRequiredService<WorkflowService>().FireTimerAsync(timer, CancellationToken.None);
    }

    protected async Task<List<NotificationMessage>> NotesAsync(string id) =>
        await Effects.NotesAsync(App, id);
}

/// <summary>The committee with the default deadline outcome, Reject.</summary>
public class CommitteeVoteApiTests : CommitteeApiTestBase
{
    public CommitteeVoteApiTests()
        : base("Reject")
    {
    }

    [Fact]
    public async Task Members_are_told_each_vote_is_in_the_audit_trail_and_the_outcome_names_the_votes()
    {
        var (id, _) = await AtCommitteeAsync();
        var told = (await NotesAsync(id)).Where(n => n.Kind == "committee.vote").Select(n => n.UserId).Order().ToList();
        Assert.Equal(["chair", "cm-1", "cm-2", "credit-hq"], told);

        var tasks = JsonNode.Parse(await Cm1.GetStringAsync("/api/tasks"))!.AsArray();
        Assert.Contains(tasks, t => t!["applicationId"]!.GetValue<string>() == id && t["action"]!.GetValue<string>() == "vote");

        // The HQ credit officer approved at the tier before: a member, but conflicted.
        var conflicted = Loans.As("credit-hq", "HQ", Role.HqCreditDept, Role.CommitteeMember);
        var refused = await Loans.CommandAsync(conflicted, id, "vote", Ballot("Approve", "ok"), HttpStatusCode.Forbidden);
        Assert.Contains("HqCreditDept tier", refused["detail"]!.GetValue<string>());

        var notMember = await Loans.CommandAsync(Loans.As("cm-3", "HQ", Role.CommitteeMember), id, "vote", Ballot("Approve", "ok"), HttpStatusCode.Forbidden);
        Assert.Contains("member of the loan review committee", notMember["detail"]!.GetValue<string>());
        var noOpinion = await Loans.CommandAsync(Cm1, id, "vote", new JsonObject { ["vote"] = "Approve" }, HttpStatusCode.BadRequest);
        Assert.True(noOpinion["errors"]!.AsObject().ContainsKey("opinion"));

        await Loans.CommandAsync(Cm1, id, "vote", Ballot("Approve", "还款来源充足 Repayment source is sound."));
        await Loans.CommandAsync(Cm2, id, "vote", Ballot("Reject", "Land-use right valuation is optimistic."));
        var closed = await Loans.CommandAsync(Loans.Chair, id, "vote", Ballot("Approve", "同意 Agreed."));
        Assert.Equal("Approved", Loans.State(closed)); // 2 of 3 votes cast: exactly two thirds, quorum 3 of 4

        var history = await Loans.HistoryAsync(id);
        Assert.Equal(["committee.vote", "committee.vote", "committee.approve"], Loans.Commands(history)[^3..]);
        var second = history[^2]!;
        Assert.Equal("cm-2", second["actorId"]!.GetValue<string>());
        Assert.Equal("Reject", second["detail"]!["vote"]!.GetValue<string>());
        Assert.Equal("Land-use right valuation is optimistic.", second["detail"]!["opinion"]!.GetValue<string>());
        var votes = history[^1]!["detail"]!["votes"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        Assert.Equal(["cm-1: Approve — 还款来源充足 Repayment source is sound.", "cm-2: Reject — Land-use right valuation is optimistic.", "chair: Approve — 同意 Agreed."], votes);
    }

    [Fact]
    public async Task The_chairs_deciding_vote_is_in_the_history_as_the_closing_vote()
    {
        var (id, _) = await AtCommitteeAsync();
        await Loans.CommandAsync(Cm1, id, "vote", Ballot("Approve", "Fine."));
        await Loans.CommandAsync(Cm2, id, "vote", Ballot("Approve", "Fine too."));
        await Loans.CommandAsync(Loans.Chair, id, "vote", Ballot("Approve", "同意 Agreed."));

        var closing = (await Loans.HistoryAsync(id))[^1]!;
        Assert.Equal("committee.approve", closing["command"]!.GetValue<string>());
        Assert.Equal("chair", closing["actorId"]!.GetValue<string>());
        var vote = closing["detail"]!["closingVote"]!;
        Assert.Equal("chair", vote["userId"]!.GetValue<string>());
        Assert.Equal("Approve", vote["vote"]!.GetValue<string>());
        Assert.Equal("同意 Agreed.", vote["opinion"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_deadline_rejects_a_vote_that_did_not_reach_its_quorum()
    {
        var (id, stage) = await AtCommitteeAsync();
        await Loans.CommandAsync(Cm1, id, "vote", Ballot("Approve", "Fine."));
        await Loans.CommandAsync(Loans.Chair, id, "vote", Ballot("Approve", "Agreed."));
        Assert.Equal("Authorisation", Loans.State(await Loans.GetAsync(id)));

        await FireEscalationAsync(id, stage);
        var rejected = await Loans.GetAsync(id);
        Assert.Equal("Rejected", Loans.State(rejected));
        Assert.Equal("RejectedByCommittee", rejected["rejectionReason"]!.GetValue<string>());
        Assert.Contains("quorum not met", rejected["closingComment"]!.GetValue<string>());
        Assert.Equal("committee.deadline", Loans.Commands(await Loans.HistoryAsync(id)).Last());
        Assert.Contains(await NotesAsync(id), n => n.Kind == "rejected" && n.UserId == "lo-b01");
    }

    [Fact]
    public async Task The_chair_vetoes_an_approval_over_HTTP()
    {
        var (id, _) = await AtCommitteeAsync();
        await Loans.CommandAsync(Cm1, id, "vote", Ballot("Approve", "Fine."));
        await Loans.CommandAsync(Cm2, id, "vote", Ballot("Approve", "Fine."));
        var memberVeto = await Loans.CommandAsync(Cm1, id, "vote", Ballot("Veto", "No."), HttpStatusCode.Conflict); // voted already
        Assert.NotNull(memberVeto["detail"]);

        var vetoed = await Loans.CommandAsync(Loans.Chair, id, "vote", Ballot("Veto", "Sector risk too high this year."));
        Assert.Equal("Rejected", Loans.State(vetoed));
        Assert.StartsWith("Vetoed by the chair", vetoed["closingComment"]!.GetValue<string>());
    }
}

/// <summary>The same committee with <c>Workflow:Committee:DeadlineOutcome=Escalate</c>.</summary>
public class CommitteeEscalationApiTests : CommitteeApiTestBase
{
    public CommitteeEscalationApiTests()
        : base("Escalate")
    {
    }

    [Fact]
    public async Task With_escalation_the_deadline_tells_the_chair_and_the_vote_goes_on()
    {
        var (id, stage) = await AtCommitteeAsync();
        await Loans.CommandAsync(Cm1, id, "vote", Ballot("Approve", "Fine."));
        await FireEscalationAsync(id, stage);

        Assert.Equal("Authorisation", Loans.State(await Loans.GetAsync(id)));
        Assert.Contains(await NotesAsync(id), n => n.Kind == "escalation" && n.Role == Role.CommitteeChair);
        await Loans.CommandAsync(Cm2, id, "vote", Ballot("Approve", "Fine."));
        Assert.Equal("Approved", Loans.State(await Loans.CommandAsync(Loans.Chair, id, "vote", Ballot("Approve", "Agreed."))));
    }
}
