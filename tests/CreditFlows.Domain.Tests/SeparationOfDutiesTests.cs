using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Tests;

/// <summary>审贷分离: who may not review, decide or vote, and the related employees' trail in the history.</summary>
public class SeparationOfDutiesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly WorkflowPolicy Policy = WorkflowPolicy.Default;

    private static CreditUser U(string id, string branch, params Role[] roles) => new(id, id, roles.ToHashSet(), BranchId.Parse(branch));

    private static readonly CreditUser Officer = U("lo", "B01", Role.LoanOfficer);
    private static readonly CreditUser Reviewer = U("rv", "B01", Role.Reviewer);
    private static readonly CreditUser Director = U("dir", "B01", Role.BranchDirector);

    private static RelatedEmployee Related(string userId) => new() { UserId = userId, Relation = "cousin" };

    /// <summary>A 300,000 yuan credit loan at B01: within the branch director's authority, one tier higher when employee-related.</summary>
    private static (LoanApplication App, Transition Opened) Open(CreditUser? opener = null, params RelatedEmployee[] related) =>
        LoanApplication.Open("LA-SOD", opener ?? Officer, new OpenApplication(BranchId.Parse("B01"),
            new Borrower { Name = "Z", IdNumber = "11010519491231002X", Type = BorrowerType.FarmerHousehold },
            Product.FarmerHousehold, GuaranteeType.Credit, new LoanTerms(Money.FromYuan(300_000m), 12, 6m), "Seeds", related), T0, Policy);

    private static Investigation Complete() => new()
    {
        Household = new Household { Members = 3, Labourers = 2, MainActivity = "Rice" },
        Purpose = "Seeds", Amount = Money.FromYuan(300_000m), TermMonths = 12, AnnualRatePercent = 6m, RepaymentSource = "Rice", AnnualIncome = Money.FromYuan(90_000m),
        ExistingDebts = [], AssociatedCustomers = [], Risk = new RiskAssessment { Rating = "Low", Summary = "ok" }, Recommendation = new Recommendation { Approve = true },
    };

    private static Transition Pass(LoanApplication app, CreditUser? reviewer = null) =>
        app.ReviewInvestigation(reviewer ?? Reviewer, ReviewOutcome.Pass, null, DefaultAuthorityMatrix.Create(), T0, Policy);

    [Fact]
    public void Related_employees_declared_at_opening_are_in_the_opening_event()
    {
        var (_, opened) = Open(null, Related("teller-7"));

        var change = Assert.IsType<RelatedEmployeesChange>(opened.Detail["relatedEmployeesChanged"]);
        Assert.Equal([], change.Before);
        Assert.Equal(["teller-7"], change.After);
        Assert.Equal(["teller-7"], change.Added);
        Assert.Equal([], change.Removed);
    }

    [Fact]
    public void Removing_a_related_employee_at_investigation_is_recorded_and_the_application_is_rerouted_without_the_tier()
    {
        var (app, _) = Open(null, Related("dir"));
        app.Submit(Officer, T0, Policy);

        var investigated = app.Investigate(Officer, Complete(), [], complete: true, T0, Policy);

        var change = Assert.IsType<RelatedEmployeesChange>(investigated.Detail["relatedEmployeesChanged"]);
        Assert.Equal(["dir"], change.Before);
        Assert.Equal([], change.After);
        Assert.Equal([], change.Added);
        Assert.Equal(["dir"], change.Removed);
        var routed = Pass(app);
        Assert.Equal(["BranchDirector"], (string[])routed.Detail["tiers"]!);
    }

    [Fact]
    public void Adding_a_related_employee_at_investigation_is_recorded_and_adds_the_tier()
    {
        var (app, _) = Open(null, Related("teller-7"));
        app.Submit(Officer, T0, Policy);

        var saved = app.Investigate(Officer, Complete(), [Related("teller-7"), Related("teller-9")], complete: false, T0, Policy);
        var change = Assert.IsType<RelatedEmployeesChange>(saved.Detail["relatedEmployeesChanged"]);
        Assert.Equal(["teller-7"], change.Before);
        Assert.Equal(["teller-7", "teller-9"], change.After);
        Assert.Equal(["teller-9"], change.Added);
        Assert.Equal([], change.Removed);

        // The same list again changes nothing, and says nothing.
        var submitted = app.Investigate(Officer, Complete(), [Related("teller-9"), Related("teller-7")], complete: true, T0, Policy);
        Assert.False(submitted.Detail.ContainsKey("relatedEmployeesChanged"));
        Assert.Equal(["BranchDirector", "HqCreditDept"], (string[])Pass(app).Detail["tiers"]!);
    }

    [Fact]
    public void A_related_employee_removed_at_investigation_may_still_not_review_decide_or_vote()
    {
        var reviewerDirector = U("rv-dir", "B01", Role.Reviewer, Role.BranchDirector, Role.CommitteeMember);
        var (app, _) = Open(null, Related("rv-dir"), Related("dir"));
        app.Submit(Officer, T0, Policy);
        app.Investigate(Officer, Complete(), [], complete: true, T0, Policy);

        var review = Assert.Throws<WorkflowRefusal>(() => Pass(app, reviewerDirector));
        Assert.Equal(RefusalKind.NotPermitted, review.Kind);
        Assert.Contains("declared related", review.Message);
        Assert.False(app.MayAct(reviewerDirector, Policy));

        Pass(app);
        var version = app.Version;
        var decide = Assert.Throws<WorkflowRefusal>(() => app.Decide(Director, DecisionOutcome.Approve, null, null, null, T0, Policy));
        Assert.Equal(RefusalKind.NotPermitted, decide.Kind);
        Assert.Contains("declared related", decide.Message);
        Assert.Equal(version, app.Version);
        Assert.False(app.MayAct(Director, Policy));
        Assert.NotNull(app.ConflictOf("dir"));
    }

    [Fact]
    public void A_related_employee_list_with_a_blank_user_id_is_refused_and_changes_nothing()
    {
        var (app, _) = Open(null, Related("teller-7"));
        app.Submit(Officer, T0, Policy);

        var refusal = Assert.Throws<WorkflowRefusal>(() => app.Investigate(Officer, Complete(), [new RelatedEmployee { UserId = " " }], complete: false, T0, Policy));
        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Equal(["teller-7"], app.RelatedEmployees.Select(r => r.UserId));
    }

    [Fact]
    public void The_opener_may_not_review_decide_or_vote_on_their_own_application()
    {
        var opener = U("lo-dir", "B01", Role.LoanOfficer, Role.Reviewer, Role.BranchDirector, Role.CommitteeMember);
        var (app, _) = Open(opener);
        app.Submit(opener, T0, Policy);
        app.Investigate(Officer, Complete(), null, complete: true, T0, Policy); // another officer investigates

        var review = Assert.Throws<WorkflowRefusal>(() => Pass(app, opener));
        Assert.Equal(RefusalKind.NotPermitted, review.Kind);
        Assert.Equal("You opened this application: you may not review it.", review.Message);
        Assert.False(app.MayAct(opener, Policy));

        Pass(app);
        var version = app.Version;
        var decide = Assert.Throws<WorkflowRefusal>(() => app.Decide(opener, DecisionOutcome.Approve, null, null, null, T0, Policy));
        Assert.Equal(RefusalKind.NotPermitted, decide.Kind);
        Assert.Equal("You opened this application: you may not decide on it.", decide.Message);
        Assert.Equal(version, app.Version);
        Assert.Empty(app.Decisions);
        Assert.False(app.MayAct(opener, Policy));
        Assert.Equal("You opened this application", app.ConflictOf("lo-dir"));

        Assert.Equal(ApplicationState.Approved, app.Decide(Director, DecisionOutcome.Approve, null, null, null, T0, Policy).To);
    }
}
