using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Tests;

public class NplClassificationTests
{
    private static readonly ClassificationPolicy Rules = ClassificationPolicy.Default;

    [Theory]
    [InlineData(0, LoanCategory.Normal)]
    [InlineData(1, LoanCategory.SpecialMention)]
    [InlineData(90, LoanCategory.SpecialMention)]
    [InlineData(91, LoanCategory.Substandard)]
    [InlineData(270, LoanCategory.Substandard)]
    [InlineData(271, LoanCategory.Doubtful)]
    [InlineData(360, LoanCategory.Doubtful)]
    [InlineData(361, LoanCategory.Loss)]
    [InlineData(5000, LoanCategory.Loss)]
    public void Days_overdue_give_the_category_at_each_threshold_edge(int days, LoanCategory expected) =>
        Assert.Equal(expected, Rules.Classify(days, restructured: false));

    [Theory]
    [InlineData(0, LoanCategory.Substandard)]
    [InlineData(1, LoanCategory.Substandard)]
    [InlineData(90, LoanCategory.Substandard)]
    [InlineData(91, LoanCategory.Substandard)]
    [InlineData(271, LoanCategory.Doubtful)]
    [InlineData(361, LoanCategory.Loss)]
    public void Restructured_loan_is_at_least_substandard(int days, LoanCategory expected) =>
        Assert.Equal(expected, Rules.Classify(days, restructured: true));

    [Fact]
    public void Hq_thresholds_move_the_edges()
    {
        var strict = new ClassificationPolicy(SpecialMentionAfterDays: 0, SubstandardAfterDays: 60, DoubtfulAfterDays: 180, LossAfterDays: 300, RestructuredFloor: LoanCategory.Doubtful);
        Assert.Empty(strict.Problems());
        Assert.Equal(LoanCategory.SpecialMention, strict.Classify(60, false));
        Assert.Equal(LoanCategory.Substandard, strict.Classify(61, false));
        Assert.Equal(LoanCategory.Doubtful, strict.Classify(181, false));
        Assert.Equal(LoanCategory.Loss, strict.Classify(301, false));
        Assert.Equal(LoanCategory.Doubtful, strict.Classify(0, true));
    }

    [Fact]
    public void Thresholds_out_of_order_are_named()
    {
        var bad = new ClassificationPolicy(SubstandardAfterDays: 300, DoubtfulAfterDays: 270);
        Assert.Contains(bad.Problems(), p => p.Field == nameof(ClassificationPolicy.DoubtfulAfterDays));
        Assert.Contains(new ClassificationPolicy(SpecialMentionAfterDays: -1).Problems(), p => p.Field == nameof(ClassificationPolicy.SpecialMentionAfterDays));
        Assert.Contains(new ClassificationPolicy(LossAfterDays: 4000).Problems(), p => p.Field == nameof(ClassificationPolicy.LossAfterDays));
    }

    [Fact]
    public void Days_overdue_is_the_larger_of_the_principal_and_interest_distances()
    {
        var asOf = new DateOnly(2026, 11, 22);
        Assert.Equal(0, ClassificationPolicy.DaysOverdue(asOf, null, null));
        Assert.Equal(0, ClassificationPolicy.DaysOverdue(asOf, asOf, null));
        Assert.Equal(1, ClassificationPolicy.DaysOverdue(asOf, asOf.AddDays(-1), null));
        Assert.Equal(91, ClassificationPolicy.DaysOverdue(asOf, asOf.AddDays(-10), asOf.AddDays(-91)));
        Assert.Equal(91, ClassificationPolicy.DaysOverdue(asOf, asOf.AddDays(-91), asOf.AddDays(-10)));
        Assert.Equal(366, ClassificationPolicy.DaysOverdue(new DateOnly(2025, 1, 1), new DateOnly(2024, 1, 1), null)); // a leap year
    }

    // ---------------------------------------------------------------- overrides

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.FromHours(8));
    private static readonly BranchId B01 = BranchId.Parse("B01");
    private static readonly CreditUser Officer = new("lo-1", "Officer", new HashSet<Role> { Role.LoanOfficer }, B01);
    private static readonly CreditUser Risk = new("risk-1", "Risk", new HashSet<Role> { Role.RiskManager }, B01);
    private static readonly CreditUser Risk2 = new("risk-2", "Risk 2", new HashSet<Role> { Role.RiskManager }, BranchId.Headquarters);

    [Fact]
    public void Officer_downgrade_with_a_reason_applies_at_once_and_persists()
    {
        var o = LoanOverride.Request(null, "L1", B01, Officer, LoanCategory.Doubtful, "Borrower left the village", LoanCategory.SpecialMention, LoanCategory.SpecialMention, Now);
        Assert.Equal(OverrideStatus.Effective, o.Active!.Status);
        Assert.Null(o.Pending);
        Assert.Equal(LoanCategory.Doubtful, o.Apply(LoanCategory.Normal, out _));
        Assert.Equal(LoanCategory.Doubtful, o.Apply(LoanCategory.SpecialMention, out _));
        Assert.Equal(LoanCategory.Loss, o.Apply(LoanCategory.Loss, out _)); // The rule can still make it worse.
    }

    [Fact]
    public void Reclassification_needs_a_reason()
    {
        var refusal = Assert.Throws<NplRefusal>(() => LoanOverride.Request(null, "L1", B01, Officer, LoanCategory.Loss, " ", null, null, Now));
        Assert.Equal("reason", refusal.Field);
    }

    [Fact]
    public void Moving_a_loan_out_of_npl_waits_for_a_risk_manager_and_the_old_category_stays_meanwhile()
    {
        var down = LoanOverride.Request(null, "L1", B01, Officer, LoanCategory.Substandard, "Weak cash flow", LoanCategory.Normal, LoanCategory.Normal, Now);
        var up = LoanOverride.Request(down, "L1", B01, Officer, LoanCategory.Normal, "Cash flow restored", LoanCategory.Normal, LoanCategory.Substandard, Now);
        Assert.Equal(OverrideStatus.Pending, up.Pending!.Status);
        Assert.Equal(LoanCategory.Substandard, up.Apply(LoanCategory.Normal, out _)); // still NPL until approved

        Assert.Throws<NplRefusal>(() => up.Approve(Officer, Now)); // not a RiskManager
        var approved = up.Approve(Risk, Now);
        Assert.Equal(OverrideStatus.Approved, approved.Active!.Status);
        Assert.Equal("risk-1", approved.Active.ApprovedBy);
        Assert.Equal(LoanCategory.Normal, approved.Apply(LoanCategory.Normal, out _));
    }

    [Fact]
    public void Upgrading_past_the_rule_needs_approval_by_someone_other_than_the_requester()
    {
        var up = LoanOverride.Request(null, "L1", B01, Risk, LoanCategory.SpecialMention, "Collateral sold, repayment certain", LoanCategory.Doubtful, LoanCategory.Doubtful, Now);
        Assert.NotNull(up.Pending);
        Assert.Equal(LoanCategory.Doubtful, up.Apply(LoanCategory.Doubtful, out _));
        var refusal = Assert.Throws<NplRefusal>(() => up.Approve(Risk, Now));
        Assert.Equal(NplRefusal.Kinds.NotPermitted, refusal.Kind);
        var approved = up.Approve(Risk2, Now);
        Assert.Equal(LoanCategory.SpecialMention, approved.Apply(LoanCategory.Doubtful, out var withBasis));
        Assert.Equal(LoanCategory.Doubtful, withBasis.Active!.Basis);
    }

    [Fact]
    public void Approved_upgrade_lapses_when_the_loan_deteriorates_past_its_basis()
    {
        var approved = LoanOverride.Request(null, "L1", B01, Officer, LoanCategory.SpecialMention, "Repayment plan agreed", LoanCategory.Substandard, LoanCategory.Substandard, Now)
            .Approve(Risk, Now);
        Assert.Equal(LoanCategory.SpecialMention, approved.Apply(LoanCategory.Substandard, out var day1));
        Assert.Equal(LoanCategory.SpecialMention, day1.Apply(LoanCategory.Substandard, out var day2));
        Assert.Same(day1, day2);
        Assert.Equal(LoanCategory.Doubtful, day2.Apply(LoanCategory.Doubtful, out var lapsed));
        Assert.Null(lapsed.Active);
    }

    [Fact]
    public void Rejected_request_leaves_the_active_override()
    {
        var down = LoanOverride.Request(null, "L1", B01, Officer, LoanCategory.Loss, "Borrower deceased", LoanCategory.Substandard, LoanCategory.Substandard, Now);
        var asked = LoanOverride.Request(down, "L1", B01, Officer, LoanCategory.Normal, "Guarantor paid", LoanCategory.Substandard, LoanCategory.Loss, Now);
        var rejected = asked.Reject(Risk);
        Assert.Null(rejected.Pending);
        Assert.Equal(LoanCategory.Loss, rejected.Apply(LoanCategory.Substandard, out _));
        Assert.Equal(NplRefusal.Kinds.Conflict, Assert.Throws<NplRefusal>(() => rejected.Approve(Risk, Now)).Kind);
    }

    [Fact]
    public void Unknown_loan_asked_to_be_normal_waits_for_approval_but_a_downgrade_does_not()
    {
        Assert.NotNull(LoanOverride.Request(null, "L9", B01, Officer, LoanCategory.Normal, "Fine", null, null, Now).Pending);
        Assert.NotNull(LoanOverride.Request(null, "L9", B01, Officer, LoanCategory.Substandard, "Weak", null, null, Now).Active);
    }

    [Fact]
    public void Only_officers_and_risk_managers_of_the_branch_reclassify()
    {
        var reviewer = new CreditUser("rv", "Rv", new HashSet<Role> { Role.Reviewer }, B01);
        Assert.Throws<NplRefusal>(() => LoanOverride.Request(null, "L1", B01, reviewer, LoanCategory.Loss, "x", null, null, Now));
        var otherBranch = new CreditUser("lo-2", "Lo2", new HashSet<Role> { Role.LoanOfficer }, BranchId.Parse("B02"));
        Assert.Throws<NplRefusal>(() => LoanOverride.Request(null, "L1", B01, otherBranch, LoanCategory.Loss, "x", null, null, Now));
    }
}
