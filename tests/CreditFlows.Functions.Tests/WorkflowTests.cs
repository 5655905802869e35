using System.Net;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>The loan application workflow over HTTP, against Azurite: each tier path, returns, endings, the audit trail.</summary>
public class WorkflowTests() : AppTestBase(new TestApp())
{
    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task A_branch_level_loan_goes_from_draft_to_disbursed_and_its_history_reads_back_in_order()
    {
        var id = await Loans.ToReviewAsync(amount: 500_000m, guarantee: "Mortgage");

        var routed = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass", ["comment"] = "Complete and compliant." });
        Assert.Equal("Authorisation", Loans.State(routed));
        Assert.Equal(["BranchDirector"], routed["route"]!["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("default-2026-01", routed["matrixVersion"]!.GetValue<string>());

        var approved = await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        Assert.Equal("Approved", Loans.State(approved));
        var shares = approved["responsibility"]!.AsArray();
        Assert.Equal(100m, shares.Sum(s => s!["sharePercent"]!.GetValue<decimal>()));
        Assert.Equal(["Investigation:lo-b01", "Review:rv-b01", "Approval:dir-b01", "PostLoanManagement:lo-b01"],
            shares.Select(s => $"{s!["duty"]}:{s["userId"]}"));

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await Loans.CommandAsync(Loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-2026-0001", ["signedOn"] = today });
        await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject());
        var disbursed = await Loans.CommandAsync(Loans.CoreBanking, id, "disbursement",
            new JsonObject { ["loanAccountNumber"] = "6228-0001", ["amount"] = 500_000m, ["disbursedOn"] = today });
        Assert.Equal("Disbursed", Loans.State(disbursed));
        Assert.Equal("PostLoanInspection", disbursed["awaiting"]!["stage"]!.GetValue<string>());
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30).ToString("yyyy-MM-dd"), disbursed["firstInspectionDue"]!.GetValue<string>());

        var history = await Loans.HistoryAsync(id);
        Assert.Equal(["open", "submit", "investigation.submit", "review.pass", "decision.approve", "contract", "handoff", "disbursement"], Loans.Commands(history));
        Assert.Equal(Enumerable.Range(1, 8), history.Select(e => e!["sequence"]!.GetValue<int>()));
        Assert.Equal(["lo-b01", "lo-b01", "lo-b01", "rv-b01", "dir-b01", "lo-b01", "lo-b01", "core-banking"], history.Select(e => e!["actorId"]!.GetValue<string>()));
        Assert.Equal(["Draft", "Submitted", "Review", "Authorisation", "Approved", "Contracted", "ReadyForDisbursement", "Disbursed"], history.Select(e => e!["to"]!.GetValue<string>()));
        Assert.Equal("Submitted", history[2]!["from"]!.GetValue<string>()); // A complete investigation sent at once goes straight to review.
        Assert.All(history.Skip(3), e => Assert.Equal("default-2026-01", e!["matrixVersion"]!.GetValue<string>()));
        Assert.Equal("Reviewer", history[3]!["role"]!.GetValue<string>());

        var tasks = JsonNode.Parse(await Loans.Officer.GetStringAsync("/api/tasks"))!.AsArray();
        Assert.Contains(tasks, t => t!["applicationId"]!.GetValue<string>() == id && t["stage"]!.GetValue<string>() == "PostLoanInspection");
    }

    [Fact]
    public async Task A_loan_above_branch_authority_needs_the_director_then_HQ_credit()
    {
        var id = await Loans.ToReviewAsync(amount: 1_000_000m, guarantee: "Credit");
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });

        var afterDirector = await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        Assert.Equal("Authorisation", Loans.State(afterDirector));
        Assert.Equal("HqCreditDept", afterDirector["currentTier"]!.GetValue<string>());

        // The director may not decide the next tier too, even holding its role.
        var both = Loans.As("dir-b01", "HQ", Role.BranchDirector, Role.HqCreditDept);
        var twice = await Loans.CommandAsync(both, id, "decision", Loans.Approve(), HttpStatusCode.Forbidden);
        Assert.Contains("two tiers", twice["detail"]!.GetValue<string>());

        var approved = await Loans.CommandAsync(Loans.HqCredit, id, "decision", Loans.Approve());
        Assert.Equal("Approved", Loans.State(approved));
        var approvals = approved["responsibility"]!.AsArray().Where(r => r!["duty"]!.GetValue<string>() == "Approval").ToList();
        Assert.Equal([15m, 15m], approvals.Select(a => a!["sharePercent"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task A_large_loan_goes_through_the_committee_whose_members_vote_with_their_opinions()
    {
        var id = await Loans.ToReviewAsync(amount: 15_000_000m, guarantee: "Mortgage");
        var routed = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal(["BranchDirector", "HqCreditDept", "Committee"], routed["route"]!["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));

        await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        var atCommittee = await Loans.CommandAsync(Loans.HqCredit, id, "decision", Loans.Approve());
        Assert.Equal(["cm-1", "cm-2", "cm-3", "chair"], atCommittee["committee"]!["members"]!.AsArray().Select(m => m!.GetValue<string>()));

        // One person's decision is not the committee's: the chair's decision is refused, and votes are needed.
        var onePen = await Loans.CommandAsync(Loans.Chair, id, "decision", Loans.Approve("贷审会〔2026〕第12号"), HttpStatusCode.Conflict);
        Assert.Contains("/vote", onePen["detail"]!.GetValue<string>());

        await Loans.CommandAsync(Loans.As("cm-1", "HQ", Role.CommitteeMember), id, "vote", new JsonObject { ["vote"] = "Approve", ["opinion"] = "还款来源充足 Repayment source is sound." });
        await Loans.CommandAsync(Loans.As("cm-2", "HQ", Role.CommitteeMember), id, "vote", new JsonObject { ["vote"] = "Approve", ["opinion"] = "Collateral covers twice." });
        var approved = await Loans.CommandAsync(Loans.Chair, id, "vote", new JsonObject { ["vote"] = "Approve", ["opinion"] = "同意 Agreed." });
        Assert.Equal("Approved", Loans.State(approved));
        Assert.Equal(5, approved["decisions"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_return_sends_the_file_back_to_investigation_and_it_is_reviewed_again()
    {
        var id = await Loans.ToReviewAsync();
        var noComment = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Return" }, HttpStatusCode.BadRequest);
        Assert.True(noComment["errors"]!.AsObject().ContainsKey("comment"));

        var returned = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Return", ["comment"] = "Appraisal report missing." });
        Assert.Equal("Investigation", Loans.State(returned));
        Assert.Equal(2, returned["round"]!.GetValue<int>());

        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        var tierReturn = await Loans.CommandAsync(Loans.Director, id, "decision", new JsonObject { ["outcome"] = "Return", ["comment"] = "Check the guarantor's income." });
        Assert.Equal("Investigation", Loans.State(tierReturn));

        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        var approved = await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        Assert.Equal("Approved", Loans.State(approved));

        Assert.Equal(["open", "submit", "investigation.submit", "review.return", "investigation.submit", "review.pass", "decision.return",
            "investigation.submit", "review.pass", "decision.approve"], Loans.Commands(await Loans.HistoryAsync(id)));
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_code_and_ends_the_application()
    {
        var id = await Loans.ToReviewAsync();
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });

        var noReason = await Loans.CommandAsync(Loans.Director, id, "decision", new JsonObject { ["outcome"] = "Reject" }, HttpStatusCode.BadRequest);
        Assert.True(noReason["errors"]!.AsObject().ContainsKey("reasonCode"));
        var unknown = await Loans.CommandAsync(Loans.Director, id, "decision", new JsonObject { ["outcome"] = "Reject", ["reasonCode"] = "Bored" }, HttpStatusCode.BadRequest);
        Assert.True(unknown["errors"]!.AsObject().ContainsKey("reasonCode"));

        var rejected = await Loans.CommandAsync(Loans.Director, id, "decision",
            new JsonObject { ["outcome"] = "Reject", ["reasonCode"] = "InsufficientRepaymentCapacity", ["comment"] = "Income does not cover instalments." });
        Assert.Equal("Rejected", Loans.State(rejected));
        Assert.Equal("InsufficientRepaymentCapacity", rejected["rejectionReason"]!.GetValue<string>());

        var after = await Loans.CommandAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "late" }, HttpStatusCode.Conflict);
        Assert.Equal("Rejected", after["currentState"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_withdrawn_application_takes_no_more_commands()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        var withdrawn = await Loans.CommandAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "Borrower found the money elsewhere." });
        Assert.Equal("Withdrawn", Loans.State(withdrawn));

        var problem = await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true }, HttpStatusCode.Conflict);
        Assert.Equal("Withdrawn", problem["currentState"]!.GetValue<string>());
        Assert.Contains("Withdrawn", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mortgage_collateral_must_be_registered_before_the_hand_off()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        var investigation = Loans.Investigation();
        investigation["collateral"]![0]!["registrationStatus"] = "InProgress";
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = investigation, ["submit"] = true });
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        await Loans.CommandAsync(Loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-9", ["signedOn"] = DateTime.UtcNow.ToString("yyyy-MM-dd") });

        var refused = await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject(), HttpStatusCode.BadRequest);
        Assert.True(refused["errors"]!.AsObject().ContainsKey("investigation.collateral[0].registrationStatus"));
        Assert.Equal("Contracted", Loans.State(await Loans.GetAsync(id)));

        var handedOff = await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject { ["registeredCollateral"] = new JsonArray(0) });
        Assert.Equal("ReadyForDisbursement", Loans.State(handedOff));
    }

    [Fact]
    public async Task Lists_filter_by_branch_state_and_officer_page_by_page_within_the_callers_scope()
    {
        var ids = new List<string>();
        for (var n = 0; n < 3; n++)
        {
            ids.Add(await Loans.OpenAsync());
        }

        var b02 = Loans.As("lo-b02", "B02", Role.LoanOfficer);
        var other = await Loans.OpenAsync(Loans.OpenBody(), b02);

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var url = "/api/applications?branch=B01&state=Draft&officer=lo-b01&pageSize=2" + (continuation is null ? "" : $"&continuation={continuation}");
            var page = await Loans.ReadAsync(await Loans.Officer.GetAsync(url), HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            Assert.All(page["items"]!.AsArray(), i => Assert.Equal("B01", i!["branch"]!.GetValue<string>()));
            continuation = page["continuation"]?.GetValue<string>();
            pages++;
        }
        while (continuation is not null && pages < 1000);

        Assert.Subset(seen.ToHashSet(), ids.ToHashSet());
        Assert.DoesNotContain(other, seen);
        Assert.True(pages >= 2);

        await ProblemAsync(await Loans.Officer.GetAsync("/api/applications?branch=B02"), HttpStatusCode.Forbidden);
        await ProblemAsync(await Loans.Officer.GetAsync($"/api/applications/{other}"), HttpStatusCode.Forbidden);
        var badState = await ProblemAsync(await Loans.Officer.GetAsync("/api/applications?state=Pending"), HttpStatusCode.BadRequest);
        Assert.True(badState["errors"]!.AsObject().ContainsKey("state"));
        await ProblemAsync(await Loans.Officer.GetAsync("/api/applications?pageSize=0"), HttpStatusCode.BadRequest);
        await ProblemAsync(await Loans.Officer.GetAsync("/api/applications?continuation=%%%"), HttpStatusCode.BadRequest);

        // HQ sees every branch.
        var auditor = Loans.As("auditor", "HQ", Role.Auditor);
        Assert.Equal(other, (await Loans.GetAsync(other, auditor))["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tasks_show_each_person_what_waits_for_them_and_not_what_they_may_not_do()
    {
        var id = await Loans.ToReviewAsync();

        var reviewerTasks = JsonNode.Parse(await Loans.Reviewer.GetStringAsync("/api/tasks"))!.AsArray();
        var task = reviewerTasks.Single(t => t!["applicationId"]!.GetValue<string>() == id)!;
        Assert.Equal("review", task["action"]!.GetValue<string>());
        Assert.True(task["dueAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddDays(2.9));

        // The investigating officer also holding the reviewer role is not offered the review.
        var officerReviewer = Loans.As("lo-b01", "B01", Role.LoanOfficer, Role.Reviewer);
        var own = JsonNode.Parse(await officerReviewer.GetStringAsync("/api/tasks"))!.AsArray();
        Assert.DoesNotContain(own, t => t!["applicationId"]!.GetValue<string>() == id);

        var otherBranch = Loans.As("rv-b02", "B02", Role.Reviewer);
        Assert.DoesNotContain(JsonNode.Parse(await otherBranch.GetStringAsync("/api/tasks"))!.AsArray(), t => t!["applicationId"]!.GetValue<string>() == id);
    }
}
