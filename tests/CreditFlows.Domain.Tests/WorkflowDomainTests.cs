using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Tests;

public class RoutingTests
{
    private static readonly AuthorityMatrix Matrix = DefaultAuthorityMatrix.Create();

    private static IReadOnlyList<ApprovalTier> Route(decimal amount, GuaranteeType guarantee = GuaranteeType.Mortgage, string branch = "B01",
        decimal? exposure = null, bool ownDeposits = false, bool employee = false) =>
        Matrix.Route(new RouteRequest(BranchId.Parse(branch), Product.FarmerHousehold, guarantee, Money.FromYuan(amount),
            Money.FromYuan(exposure ?? amount), ownDeposits, employee)).Tiers;

    [Fact]
    public void A_band_includes_its_upper_limit_and_one_fen_more_goes_to_the_next_band()
    {
        Assert.Equal([ApprovalTier.BranchDirector], Route(2_000_000m));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept], Route(2_000_000.01m));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept], Route(10_000_000m));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept, ApprovalTier.Committee], Route(10_000_000.01m));
    }

    [Fact]
    public void A_branch_rule_beats_the_union_default()
    {
        Assert.Equal([ApprovalTier.BranchDirector], Route(300_000m, GuaranteeType.Credit, "B01"));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept], Route(300_000m, GuaranteeType.Credit, "B03"));
    }

    [Fact]
    public void Own_certificates_of_deposit_keep_a_pledge_at_branch_level_but_other_pledges_do_not()
    {
        Assert.Equal([ApprovalTier.BranchDirector], Route(8_000_000m, GuaranteeType.Pledge, ownDeposits: true));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept], Route(8_000_000m, GuaranteeType.Pledge));
    }

    [Fact]
    public void An_employee_relation_adds_one_tier_and_the_top_tier_stays_the_top()
    {
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept], Route(100_000m, employee: true));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept, ApprovalTier.Committee], Route(5_000_000m, employee: true));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept, ApprovalTier.Committee], Route(20_000_000m, employee: true));
    }

    [Fact]
    public void Exposure_with_associated_customers_over_30_million_goes_to_the_top_tier_even_for_a_small_loan()
    {
        Assert.Equal([ApprovalTier.BranchDirector], Route(100_000m, exposure: 30_000_000m));
        var route = Matrix.Route(new RouteRequest(BranchId.Parse("B01"), Product.FarmerHousehold, GuaranteeType.Pledge, Money.FromYuan(100_000m),
            Money.FromYuan(30_000_000.01m), true, false));
        Assert.Equal([ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept, ApprovalTier.Committee], route.Tiers);
        Assert.Contains(route.Reasons, r => r.Contains("exceeds"));
        Assert.Equal(DefaultAuthorityMatrix.Version, route.MatrixVersion);
    }
}

public class InvestigationRuleTests
{
    private static Investigation Complete() => new()
    {
        Household = new Household { Members = 4, Labourers = 2, CreditRating = "AA", MainActivity = "Pigs" },
        Purpose = "Feed",
        Amount = Money.FromYuan(80_000m),
        TermMonths = 12,
        AnnualRatePercent = 7.2m,
        RepaymentSource = "Pig sales",
        AnnualIncome = Money.FromYuan(60_000m),
        ExistingDebts = [],
        AssociatedCustomers = [],
        Risk = new RiskAssessment { Rating = "Low", Summary = "Fine" },
        Recommendation = new Recommendation { Approve = true },
    };

    [Fact]
    public void A_credit_loan_needs_no_collateral_or_guarantor()
    {
        Assert.Empty(InvestigationRules.Check(Product.FarmerMicroCredit, GuaranteeType.Credit, Complete()));
    }

    [Fact]
    public void Micro_credit_needs_the_village_credit_rating()
    {
        var problems = InvestigationRules.Check(Product.FarmerMicroCredit, GuaranteeType.Credit, Complete() with { Household = Complete().Household! with { CreditRating = null } });
        Assert.Equal(["investigation.household.creditRating"], problems.Select(p => p.Field));
    }

    [Fact]
    public void A_joint_guarantee_needs_two_consenting_guarantors_with_capacity()
    {
        var one = new Guarantor { Name = "A", IdNumber = "11010519491231002X", Relation = "group", NetAssets = Money.FromYuan(1), AnnualIncome = Money.FromYuan(1), ConsentSigned = true };
        Assert.Equal(["investigation.guarantors"], InvestigationRules.Check(Product.FarmerJointGuarantee, GuaranteeType.Guarantee, Complete() with { Guarantors = [one] }).Select(p => p.Field));

        var unsigned = one with { ConsentSigned = false, NetAssets = null };
        var problems = InvestigationRules.Check(Product.FarmerJointGuarantee, GuaranteeType.Guarantee, Complete() with { Guarantors = [one, unsigned] });
        Assert.Equal(["investigation.guarantors[1].netAssets", "investigation.guarantors[1].consentSigned"], problems.Select(p => p.Field));
    }

    [Fact]
    public void Mortgage_collateral_must_be_a_mortgage_type_with_value_appraiser_and_registration()
    {
        var pledgeItem = new CollateralItem { Type = CollateralType.OwnCertificateOfDeposit, Description = "CD", AppraisedValue = Money.FromYuan(1), Appraiser = "x", OwnerName = "y" };
        var problems = InvestigationRules.Check(Product.FarmerHousehold, GuaranteeType.Mortgage, Complete() with { Collateral = [pledgeItem] });
        Assert.Equal(["investigation.collateral[0].type", "investigation.collateral[0].registrationStatus"], problems.Select(p => p.Field));
        Assert.Equal(["investigation.collateral"], InvestigationRules.Check(Product.FarmerHousehold, GuaranteeType.Mortgage, Complete()).Select(p => p.Field));
    }

    [Fact]
    public void A_business_borrower_needs_licence_revenue_and_industry_instead_of_household_facts()
    {
        var problems = InvestigationRules.Check(Product.SmallEnterprise, GuaranteeType.Credit, Complete() with { Household = null });
        Assert.Equal(["investigation.business"], problems.Select(p => p.Field));
    }

    [Theory]
    [InlineData("11010519491231002X", true)]
    [InlineData("110105194912310021", false)]
    [InlineData("11010519491231002", false)]
    [InlineData("1101051949123100XX", false)]
    public void Resident_id_numbers_are_checked_with_their_check_digit(string id, bool valid) =>
        Assert.Equal(valid, ApplicationRules.IsResidentId(id));
}

public class LoanApplicationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly WorkflowPolicy Policy = WorkflowPolicy.Default;

    private static CreditUser U(string id, string branch, params Role[] roles) => new(id, id, roles.ToHashSet(), BranchId.Parse(branch));

    private static readonly CreditUser Officer = U("lo", "B01", Role.LoanOfficer);

    private static (LoanApplication App, Transition Opened) Open(decimal amount = 1_000_000m, GuaranteeType guarantee = GuaranteeType.Credit) =>
        LoanApplication.Open("LA-1", Officer, new OpenApplication(BranchId.Parse("B01"),
            new Borrower { Name = "Z", IdNumber = "11010519491231002X", Type = BorrowerType.FarmerHousehold },
            Product.FarmerHousehold, guarantee, new LoanTerms(Money.FromYuan(amount), 12, 6m), "Seeds", []), T0, Policy);

    internal static LoanApplication InAuthorisation(decimal amount = 1_000_000m, WorkflowPolicy? policy = null)
    {
        var p = policy ?? Policy;
        var (app, _) = Open(amount);
        app.Submit(Officer, T0, p);
        app.Investigate(Officer, new Investigation
        {
            Household = new Household { Members = 3, Labourers = 2, MainActivity = "Rice" },
            Purpose = "Seeds", Amount = Money.FromYuan(amount), TermMonths = 12, AnnualRatePercent = 6m, RepaymentSource = "Rice", AnnualIncome = Money.FromYuan(90_000m),
            ExistingDebts = [], AssociatedCustomers = [], Risk = new RiskAssessment { Rating = "Low", Summary = "ok" }, Recommendation = new Recommendation { Approve = true },
        }, null, complete: true, T0, p);
        app.ReviewInvestigation(U("rv", "B01", Role.Reviewer), ReviewOutcome.Pass, null, DefaultAuthorityMatrix.Create(), T0, p);
        return app;
    }

    [Fact]
    public void The_outstanding_timers_worked_out_from_the_state_are_those_the_stage_asked_for_less_those_fired()
    {
        var (app, _) = Open();
        var submitted = app.Submit(Officer, T0, Policy);
        var asked = submitted.Effects.OfType<ScheduleTimer>().OrderBy(t => t.Kind).ToList();
        Assert.Equal(asked, app.OutstandingTimers(Policy).OrderBy(t => t.Kind).ToList());

        var deadline = Policy.DeadlineFor(ApplicationState.Submitted)!.Value;
        Assert.NotNull(app.OnTimer(TimerKind.Reminder, app.StageVersion, T0 + (deadline * Policy.ReminderFraction), Policy));
        Assert.DoesNotContain(app.OutstandingTimers(Policy), t => t.Kind == TimerKind.Reminder);
        Assert.Contains(app.OutstandingTimers(Policy), t => t.Kind == TimerKind.Escalation && t.DueAt == T0 + deadline);

        app.Withdraw(Officer, "借款人放弃 The borrower gave up.", T0.AddHours(1), Policy);
        Assert.Empty(app.OutstandingTimers(Policy));
    }

    [Fact]
    public void Opening_schedules_only_the_inactivity_expiry_and_entering_a_stage_its_reminder_and_escalation()
    {
        var (app, opened) = Open();
        Assert.Equal([new ScheduleTimer(TimerKind.Expiry, 1, T0 + Policy.ExpireAfterInactivity)], opened.Effects);

        var submitted = app.Submit(Officer, T0, Policy);
        Assert.Contains(new ScheduleTimer(TimerKind.Reminder, 2, T0 + TimeSpan.FromDays(2 * 0.8)), submitted.Effects);
        Assert.Contains(new ScheduleTimer(TimerKind.Escalation, 2, T0 + TimeSpan.FromDays(2)), submitted.Effects);
        Assert.Contains(new ScheduleTimer(TimerKind.Expiry, 2, T0 + Policy.ExpireAfterInactivity), submitted.Effects);
    }

    [Fact]
    public void Each_tier_is_a_stage_of_its_own_with_its_own_deadline()
    {
        var app = InAuthorisation();
        var t1 = T0.AddHours(5);
        var approved = app.Decide(U("dir", "B01", Role.BranchDirector), DecisionOutcome.Approve, null, null, null, t1, Policy);
        Assert.Equal(ApprovalTier.HqCreditDept, app.TierNow);
        Assert.Contains(new ScheduleTimer(TimerKind.Escalation, approved.Sequence, t1 + TimeSpan.FromDays(5)), approved.Effects);
        Assert.Equal(Role.HqCreditDept, app.Awaiting(Policy)!.Role);
        Assert.Equal(Role.CommitteeChair, app.Awaiting(Policy)!.Supervisor);
    }

    [Fact]
    public void Responsibility_shares_sum_to_100_when_the_approval_share_does_not_split_evenly()
    {
        // A committee whose quorum is one member: the chair's approval alone decides, so three people approve.
        var committee = new CommitteeRules { Members = ["cm1", "cm2", "chair"], Chair = "chair", Quorum = new Fraction(1, 3) };
        var policy = Policy with { Committee = committee };
        var app = InAuthorisation(15_000_000m, policy);
        app.Decide(U("dir", "B01", Role.BranchDirector), DecisionOutcome.Approve, null, null, null, T0, policy);
        app.Decide(U("hq", "HQ", Role.HqCreditDept), DecisionOutcome.Approve, null, null, null, T0, policy);
        app.Vote(U("chair", "HQ", Role.CommitteeChair), Ballot.Approve, "Agreed", T0, policy);

        Assert.Equal(ApplicationState.Approved, app.State);
        Assert.Equal(100m, app.Responsibility.Sum(r => r.SharePercent));
        Assert.Equal([10m, 10m, 10m], app.Responsibility.Where(r => r.Duty == Duty.Approval).Select(r => r.SharePercent));

        var unevenPolicy = policy with { Shares = new ResponsibilityShares(40m, 20m, 20m, 20m) };
        var uneven = InAuthorisation(15_000_000m, unevenPolicy);
        uneven.Decide(U("dir", "B01", Role.BranchDirector), DecisionOutcome.Approve, null, null, null, T0, unevenPolicy);
        uneven.Decide(U("hq", "HQ", Role.HqCreditDept), DecisionOutcome.Approve, null, null, null, T0, unevenPolicy);
        uneven.Vote(U("chair", "HQ", Role.CommitteeChair), Ballot.Approve, "Agreed", T0, unevenPolicy);
        Assert.Equal([6.66m, 6.66m, 6.68m], uneven.Responsibility.Where(r => r.Duty == Duty.Approval).Select(r => r.SharePercent));
        Assert.Equal(100m, uneven.Responsibility.Sum(r => r.SharePercent));
    }

    [Fact]
    public void A_refused_command_changes_nothing()
    {
        var app = InAuthorisation();
        var version = app.Version;
        var refusal = Assert.Throws<WorkflowRefusal>(() => app.Decide(U("rv", "B01", Role.Reviewer, Role.BranchDirector), DecisionOutcome.Approve, null, null, null, T0, Policy));
        Assert.Equal(RefusalKind.NotPermitted, refusal.Kind);
        Assert.Equal(version, app.Version);
        Assert.Empty(app.Decisions);

        var wrong = Assert.Throws<WorkflowRefusal>(() => app.Submit(Officer, T0, Policy));
        Assert.Equal(RefusalKind.WrongState, wrong.Kind);
        Assert.Equal(ApplicationState.Authorisation, wrong.CurrentState);
    }

    [Fact]
    public void A_timer_for_a_stage_that_moved_on_or_already_fired_does_nothing()
    {
        var app = InAuthorisation();
        var stage = app.StageVersion;
        Assert.NotNull(app.OnTimer(TimerKind.Reminder, stage, T0.AddDays(4), Policy));
        Assert.Null(app.OnTimer(TimerKind.Reminder, stage, T0.AddDays(4), Policy));
        Assert.Null(app.OnTimer(TimerKind.Escalation, stage - 1, T0.AddDays(5), Policy));
        Assert.Null(app.OnTimer(TimerKind.Expiry, app.LastActionVersion - 1, T0.AddDays(30), Policy));

        var expire = app.OnTimer(TimerKind.Expiry, app.LastActionVersion, T0.AddDays(30), Policy);
        Assert.Equal(ApplicationState.Expired, expire!.To);
        Assert.Contains(expire.Effects, e => e is Notify { Kind: "expired", UserId: "lo" });
    }
}
