using System.Net;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// What the workflow refuses — separation of duties, bad input, wrong state, stale versions — and that a
/// refusal writes nothing; idempotent repeats; racing commands.
/// </summary>
public class WorkflowGuardTests() : AppTestBase(new TestApp())
{
    private Loans Loans => field ??= new Loans(App);

    private async Task AssertUnchangedAsync(string id, int version)
    {
        var application = await Loans.GetAsync(id);
        Assert.Equal(version, application["version"]!.GetValue<int>());
        Assert.Equal(version, (await Loans.HistoryAsync(id)).Count);
    }

    private async Task<JsonObject> RefusedAsync(HttpClient client, string id, string command, JsonObject? body, HttpStatusCode status)
    {
        var version = (await Loans.GetAsync(id))["version"]!.GetValue<int>();
        var response = await Loans.SendAsync(client, id, command, body);
        var problem = await ProblemAsync(response, status);
        await AssertUnchangedAsync(id, version);
        return problem;
    }

    [Fact]
    public async Task The_investigator_may_not_review_or_decide()
    {
        var id = await Loans.ToReviewAsync();
        var investigatorWithMoreRoles = Loans.As("lo-b01", "B01", Role.LoanOfficer, Role.Reviewer, Role.BranchDirector);

        var review = await RefusedAsync(investigatorWithMoreRoles, id, "review", new JsonObject { ["outcome"] = "Pass" }, HttpStatusCode.Forbidden);
        Assert.Contains("investigated", review["detail"]!.GetValue<string>());

        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        var decide = await RefusedAsync(investigatorWithMoreRoles, id, "decision", Loans.Approve(), HttpStatusCode.Forbidden);
        Assert.Contains("investigated", decide["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_reviewer_may_not_decide_and_nobody_decides_at_two_tiers()
    {
        var id = await Loans.ToReviewAsync(amount: 1_000_000m, guarantee: "Credit");
        var reviewerDirector = Loans.As("rv-b01", "B01", Role.Reviewer, Role.BranchDirector);
        await Loans.CommandAsync(reviewerDirector, id, "review", new JsonObject { ["outcome"] = "Pass" });

        var decide = await RefusedAsync(reviewerDirector, id, "decision", Loans.Approve(), HttpStatusCode.Forbidden);
        Assert.Contains("reviewed", decide["detail"]!.GetValue<string>());

        var hqDirector = Loans.As("dir-hq", "HQ", Role.BranchDirector, Role.HqCreditDept);
        await Loans.CommandAsync(hqDirector, id, "decision", Loans.Approve());
        var second = await RefusedAsync(hqDirector, id, "decision", Loans.Approve(), HttpStatusCode.Forbidden);
        Assert.Contains("two tiers", second["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nobody_acts_on_an_application_where_they_are_the_borrower_or_related()
    {
        var related = new JsonArray(new JsonObject { ["userId"] = "rv-b01", ["relation"] = "brother-in-law" });
        var id = await Loans.ToReviewAsync(related: related);
        var problem = await RefusedAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" }, HttpStatusCode.Forbidden);
        Assert.Contains("related", problem["detail"]!.GetValue<string>());

        var body = Loans.OpenBody();
        body["borrower"]!["employeeUserId"] = "lo-b01";
        var own = await ProblemAsync(await Loans.Officer.PostAsync("/api/applications", Loans.Json(body)), HttpStatusCode.Forbidden);
        Assert.Contains("borrower", own["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_employee_related_application_goes_one_tier_higher()
    {
        var related = new JsonArray(new JsonObject { ["userId"] = "teller-7", ["relation"] = "spouse" });
        var id = await Loans.ToReviewAsync(amount: 300_000m, related: related);
        var routed = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal(["BranchDirector", "HqCreditDept"], routed["route"]!["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.True(routed["employeeRelated"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_related_director_removed_at_investigation_may_not_approve_and_the_history_says_so()
    {
        var related = new JsonArray(new JsonObject { ["userId"] = "dir-b01", ["relation"] = "cousin" });
        var id = await Loans.OpenAsync(Loans.OpenBody(300_000m, related: related));
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        await Loans.CommandAsync(Loans.Officer, id, "investigation",
            new JsonObject { ["investigation"] = Loans.Investigation(300_000m), ["relatedEmployees"] = new JsonArray(), ["submit"] = true });

        var history = await Loans.HistoryAsync(id);
        Assert.Equal(["dir-b01"], history[0]!["detail"]!["relatedEmployeesChanged"]!["added"]!.AsArray().Select(u => u!.GetValue<string>()));
        var change = history[^1]!["detail"]!["relatedEmployeesChanged"]!;
        Assert.Equal(["dir-b01"], change["removed"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Empty(change["after"]!.AsArray());

        // Re-routed from the related employees now listed: no extra tier; but the director, once declared related, may not decide.
        var routed = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal(["BranchDirector"], routed["route"]!["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
        var decide = await RefusedAsync(Loans.Director, id, "decision", Loans.Approve(), HttpStatusCode.Forbidden);
        Assert.Contains("declared related", decide["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_opener_may_not_decide_on_their_own_application()
    {
        var openerDirector = Loans.As("lo-dir-b01", "B01", Role.LoanOfficer, Role.BranchDirector);
        var id = await Loans.OpenAsync(Loans.OpenBody(300_000m), openerDirector);
        await Loans.CommandAsync(openerDirector, id, "submit", null);
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(300_000m), ["submit"] = true });
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });

        var decide = await RefusedAsync(openerDirector, id, "decision", Loans.Approve(), HttpStatusCode.Forbidden);
        Assert.Equal("You opened this application: you may not decide on it.", decide["detail"]!.GetValue<string>());
        Assert.Equal("Approved", Loans.State(await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve())));
    }

    [Fact]
    public async Task The_wrong_role_or_branch_is_refused_naming_what_is_missing()
    {
        var id = await Loans.ToReviewAsync();
        var role = await RefusedAsync(Loans.Officer, id, "review", new JsonObject { ["outcome"] = "Pass" }, HttpStatusCode.Forbidden);
        Assert.Contains("Reviewer", role["detail"]!.GetValue<string>());

        var otherBranch = Loans.As("rv-b02", "B02", Role.Reviewer);
        var branch = await RefusedAsync(otherBranch, id, "review", new JsonObject { ["outcome"] = "Pass" }, HttpStatusCode.Forbidden);
        Assert.Contains("B01", branch["detail"]!.GetValue<string>());

        // An HQ reviewer covers every branch.
        var hqReviewer = Loans.As("rv-hq", "HQ", Role.Reviewer);
        Assert.Equal("Authorisation", Loans.State(await Loans.CommandAsync(hqReviewer, id, "review", new JsonObject { ["outcome"] = "Pass" })));

        var notOfficer = await ProblemAsync(await Loans.Reviewer.PostAsync("/api/applications", Loans.Json(Loans.OpenBody())), HttpStatusCode.Forbidden);
        Assert.Contains("LoanOfficer", notOfficer["detail"]!.GetValue<string>());
        var coreOnly = await RefusedAsync(Loans.Officer, id, "disbursement", new JsonObject { ["loanAccountNumber"] = "x" }, HttpStatusCode.Conflict);
        Assert.Equal("Authorisation", coreOnly["currentState"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("amount", -5)]
    [InlineData("amount", 0)]
    [InlineData("amount", 500_000_000)]
    [InlineData("termMonths", 0)]
    [InlineData("annualRatePercent", 99)]
    public async Task Absurd_terms_are_refused_naming_the_field(string field, decimal value)
    {
        var body = Loans.OpenBody();
        body[field] = value;
        var problem = await ProblemAsync(await Loans.Officer.PostAsync("/api/applications", Loans.Json(body)), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Theory]
    [InlineData("product", "\"Mortgage-ish\"", "product")]
    [InlineData("product", "3", "product")]
    [InlineData("guaranteeType", "\"Hope\"", "guaranteeType")]
    [InlineData("amount", "12.345", "amount")]
    [InlineData("amount", "\"lots\"", "amount")]
    [InlineData("ammount", "1000", "ammount")]
    public async Task Unknown_names_and_wrong_types_are_refused_naming_the_field(string property, string json, string field)
    {
        var body = Loans.OpenBody();
        body[property] = JsonNode.Parse(json);
        var problem = await ProblemAsync(await Loans.Officer.PostAsync("/api/applications", Loans.Json(body)), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task Opening_checks_the_borrower_and_that_product_fits_guarantee()
    {
        var body = Loans.OpenBody(guarantee: "Mortgage", product: "FarmerMicroCredit");
        body["borrower"]!["idNumber"] = "411522198001010010"; // wrong check digit
        body.Remove("purpose");
        var problem = await ProblemAsync(await Loans.Officer.PostAsync("/api/applications", Loans.Json(body)), HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("borrower.idNumber"));
        Assert.True(errors.ContainsKey("guaranteeType"));
        Assert.True(errors.ContainsKey("purpose"));
    }

    [Fact]
    public async Task An_incomplete_investigation_is_refused_naming_every_missing_field_and_is_not_saved()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        var investigation = Loans.Investigation();
        investigation.Remove("repaymentSource");
        investigation.Remove("collateral");
        investigation["risk"]!.AsObject().Remove("rating");

        var problem = await RefusedAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = investigation.DeepClone(), ["submit"] = true }, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("investigation.repaymentSource"));
        Assert.True(errors.ContainsKey("investigation.collateral"));
        Assert.True(errors.ContainsKey("investigation.risk.rating"));
        Assert.Null((await Loans.GetAsync(id))["investigation"]);

        // Saved as a draft it is kept, and the stage starts.
        var saved = await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = investigation.DeepClone(), ["submit"] = false });
        Assert.Equal("Investigation", Loans.State(saved));
        Assert.Equal("Stable income, good repayment record.", saved["investigation"]!["risk"]!["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_ids_commands_and_wrong_states_get_problem_answers()
    {
        await ProblemAsync(await Loans.Officer.GetAsync("/api/applications/LA-20260101-NOPE"), HttpStatusCode.NotFound);
        await ProblemAsync(await Loans.SendAsync(Loans.Officer, "LA-20260101-NOPE", "submit", null), HttpStatusCode.NotFound);
        await ProblemAsync(await Loans.Officer.GetAsync("/api/applications/LA-20260101-NOPE/history"), HttpStatusCode.NotFound);

        var id = await Loans.OpenAsync();
        await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "launch", null), HttpStatusCode.NotFound);
        var wrong = await RefusedAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" }, HttpStatusCode.Conflict);
        Assert.Equal("Draft", wrong["currentState"]!.GetValue<string>());
        var noBody = await RefusedAsync(Loans.Officer, id, "withdraw", null, HttpStatusCode.BadRequest);
        Assert.True(noBody["errors"]!.AsObject().ContainsKey("body"));
    }

    [Fact]
    public async Task A_stale_If_Match_is_refused_and_a_current_one_accepted()
    {
        var id = await Loans.OpenAsync();
        var response = await Loans.Officer.GetAsync($"/api/applications/{id}");
        Assert.Equal("\"1\"", response.Headers.ETag!.Tag);
        await Loans.CommandAsync(Loans.Officer, id, "submit", null, ifMatch: "\"1\"");

        var stale = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "x" }, ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, stale["currentVersion"]!.GetValue<int>());
        var garbage = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "x" }, ifMatch: "yesterday"), HttpStatusCode.BadRequest);
        Assert.True(garbage["errors"]!.AsObject().ContainsKey("If-Match"));
        await AssertUnchangedAsync(id, 2);
    }

    [Fact]
    public async Task A_repeated_Idempotency_Key_answers_the_first_result_and_makes_no_second_transition()
    {
        var key = Guid.NewGuid().ToString();
        var openBody = Loans.OpenBody();
        HttpRequestMessage Open(JsonObject body) => new(HttpMethod.Post, "/api/applications") { Content = Loans.Json(body), Headers = { { "Idempotency-Key", key } } };
        var first = await Loans.ReadAsync(await Loans.Officer.SendAsync(Open(openBody)), HttpStatusCode.Created);
        var id = first["id"]!.GetValue<string>();

        // The same key and body again: the same application, not a second one.
        var repeat = await Loans.Officer.SendAsync(Open(openBody));
        Assert.Equal(id, (await Loans.ReadAsync(repeat, HttpStatusCode.Created))["id"]!.GetValue<string>());
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        var changed = Loans.OpenBody(amount: 1234m);
        await ProblemAsync(await Loans.Officer.SendAsync(Open(changed)), HttpStatusCode.UnprocessableEntity);
        var mine = await Loans.ReadAsync(await Loans.Officer.GetAsync("/api/applications?officer=lo-b01&pageSize=100&state=Draft"), HttpStatusCode.OK);
        Assert.DoesNotContain(mine["items"]!.AsArray(), i => i!["amount"]!.GetValue<decimal>() == 1234m);

        var submitKey = Guid.NewGuid().ToString();
        var submitted = await Loans.CommandAsync(Loans.Officer, id, "submit", null, idempotencyKey: submitKey);
        var again = await Loans.SendAsync(Loans.Officer, id, "submit", null, idempotencyKey: submitKey);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(submitted.ToJsonString(), (await Loans.ReadAsync(again, HttpStatusCode.OK)).ToJsonString());
        await AssertUnchangedAsync(id, 2);

        var reused = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "x" }, idempotencyKey: submitKey), HttpStatusCode.UnprocessableEntity);
        Assert.True(reused["errors"]!.AsObject().ContainsKey("Idempotency-Key"));
        var tooLong = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "x" }, idempotencyKey: new string('k', 200)), HttpStatusCode.BadRequest);
        Assert.True(tooLong["errors"]!.AsObject().ContainsKey("Idempotency-Key"));
        await AssertUnchangedAsync(id, 2);
    }

    [Theory]
    [InlineData("SendNotification", "[1,2]")]
    [InlineData("SendNotification", "{\"notificationId\":\"x\"}")]
    public async Task A_queue_message_the_function_cannot_read_fails_the_invocation(string function, string message)
    {
        var outcome = await App.TryRunQueueAsync(function, message);
        Assert.False(outcome.Succeeded);
        Assert.StartsWith(nameof(InvalidInvocationException), outcome.Error);
    }

    [Fact]
    public async Task A_retry_racing_its_first_attempt_gets_the_same_answer_and_one_transition()
    {
        for (var round = 0; round < 3; round++)
        {
            var id = await Loans.ToReviewAsync();
            var key = Guid.NewGuid().ToString();
            var pass = new JsonObject { ["outcome"] = "Pass" };
            var answers = await Task.WhenAll(
                Loans.SendAsync(Loans.Reviewer, id, "review", pass, idempotencyKey: key),
                Loans.SendAsync(Loans.Reviewer, id, "review", pass, idempotencyKey: key));

            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            Assert.Single(answers, a => a.Headers.Contains("Idempotent-Replayed"));
            Assert.Single(await Loans.HistoryAsync(id), e => e!["command"]!.GetValue<string>() == "review.pass");
        }
    }

    [Fact]
    public async Task Two_approvers_racing_make_exactly_one_transition()
    {
        for (var round = 0; round < 3; round++)
        {
            var id = await Loans.ToReviewAsync();
            await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
            var second = Loans.As("dir-b01-deputy", "B01", Role.BranchDirector);

            var answers = await Task.WhenAll(
                Loans.SendAsync(Loans.Director, id, "decision", Loans.Approve()),
                Loans.SendAsync(second, id, "decision", Loans.Approve()));

            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            var loser = Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK);
            var problem = await ProblemAsync(loser, HttpStatusCode.Conflict);
            Assert.Equal("Approved", problem["currentState"]!.GetValue<string>());

            var history = await Loans.HistoryAsync(id);
            Assert.Single(history, e => e!["command"]!.GetValue<string>() == "decision.approve");
            Assert.Equal(Enumerable.Range(1, history.Count), history.Select(e => e!["sequence"]!.GetValue<int>()));
        }
    }
}
