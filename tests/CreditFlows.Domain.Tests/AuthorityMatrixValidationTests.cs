using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Tests;

public class AuthorityMatrixValidationTests
{
    private static Money Y(decimal yuan) => Money.FromYuan(yuan);

    private static BandDocument Band(decimal from, decimal? upTo, params string[] tiers) => new(Y(from), upTo is { } u ? Y(u) : null, tiers);

    /// <summary>A valid document: the default matrix as HQ would export it.</summary>
    private static List<RuleDocument> Valid() => [.. MatrixDocuments.From(DefaultAuthorityMatrix.Create()).Rules!];

    private static List<RuleDocument> With(int index, RuleDocument rule)
    {
        var rules = Valid();
        rules[index] = rule;
        return rules;
    }

    private static RuleDocument CreditDefault(params BandDocument[] bands) => new("*", "*", "Credit", bands);

    private static FieldProblem Single(List<RuleDocument> rules, IReadOnlySet<BranchId>? branches = null)
    {
        var (matrix, problems) = MatrixValidation.Validate(new MatrixDocument(rules), "v-test", branches);
        Assert.Null(matrix);
        return Assert.Single(problems);
    }

    [Fact]
    public void The_default_matrix_exported_and_read_back_is_valid_and_routes_the_same()
    {
        var (matrix, problems) = MatrixValidation.Validate(new MatrixDocument(Valid()), "v-copy");
        Assert.Empty(problems);
        Assert.Equal(DefaultAuthorityMatrix.Create().Rules.Count, matrix!.Rules.Count);
        Assert.Empty(MatrixDiff.Compare(DefaultAuthorityMatrix.Create(), matrix));
    }

    [Theory]
    [InlineData(500_000.00, new[] { ApprovalTier.BranchDirector })]
    [InlineData(500_000.01, new[] { ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept })]
    [InlineData(1_200_000.00, new[] { ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept })]
    [InlineData(1_200_000.01, new[] { ApprovalTier.BranchDirector, ApprovalTier.HqCreditDept, ApprovalTier.Committee })]
    [InlineData(0.00, new[] { ApprovalTier.BranchDirector })]
    public void An_amount_exactly_at_a_boundary_belongs_to_the_lower_band_and_one_fen_more_to_the_higher(decimal amount, ApprovalTier[] expected)
    {
        var rules = With(0, CreditDefault(
            Band(0, 500_000, "BranchDirector"),
            Band(500_000, 1_200_000, "BranchDirector", "HqCreditDept"),
            Band(1_200_000, null, "BranchDirector", "HqCreditDept", "Committee")));
        var (matrix, problems) = MatrixValidation.Validate(new MatrixDocument(rules), "v-edges");
        Assert.Empty(problems);

        var route = matrix!.Route(new RouteRequest(BranchId.Parse("B01"), Product.FarmerHousehold, GuaranteeType.Credit, Y(amount), Y(amount), false, false));
        Assert.Equal(expected, route.Tiers);
    }

    [Fact]
    public void A_gap_between_bands_is_refused_naming_rule_and_band()
    {
        var problem = Single(With(0, CreditDefault(Band(0, 500_000, "BranchDirector"), Band(600_000, null, "HqCreditDept"))));
        Assert.Equal("rules[0].bands[1].from", problem.Field);
        Assert.Equal("Rule * × * × Credit, band 2 starts at 600000.00 but band 1 ends at 500000.00: amounts above 500000.00 up to 600000.00 would have no tier path (a gap).", problem.Problem);
    }

    [Fact]
    public void Overlapping_bands_are_refused_naming_rule_and_band()
    {
        var problem = Single(With(0, CreditDefault(Band(0, 500_000, "BranchDirector"), Band(400_000, null, "HqCreditDept"))));
        Assert.Equal("rules[0].bands[1].from", problem.Field);
        Assert.Equal("Rule * × * × Credit, band 2 starts at 400000.00 but band 1 ends at 500000.00: amounts above 400000.00 up to 500000.00 would be in two bands (an overlap).", problem.Problem);
    }

    [Fact]
    public void The_first_band_must_start_at_zero()
    {
        var problem = Single(With(0, CreditDefault(Band(1, 500_000, "BranchDirector"), Band(500_000, null, "HqCreditDept"))));
        Assert.Equal("rules[0].bands[0].from", problem.Field);
        Assert.Equal("Rule * × * × Credit, band 1 starts at 1.00: the first band must start at 0.", problem.Problem);
    }

    [Fact]
    public void The_last_band_must_be_open_ended_and_only_the_last()
    {
        var closed = Single(With(0, CreditDefault(Band(0, 500_000, "BranchDirector"), Band(500_000, 900_000, "HqCreditDept"))));
        Assert.Equal("rules[0].bands[1].upTo", closed.Field);
        Assert.Contains("the last band must be open-ended", closed.Problem);

        var open = Single(With(0, CreditDefault(Band(0, null, "BranchDirector"), Band(500_000, null, "HqCreditDept"))));
        Assert.Equal("rules[0].bands[0].upTo", open.Field);
        Assert.Equal("Rule * × * × Credit, band 1 is open-ended but band 2 follows: only the last band may be open-ended.", open.Problem);
    }

    [Fact]
    public void Bands_must_ascend()
    {
        var problem = Single(With(0, CreditDefault(Band(0, 500_000, "BranchDirector"), Band(500_000, 300_000, "HqCreditDept"), Band(300_000, null, "Committee"))));
        Assert.Equal("rules[0].bands[1].upTo", problem.Field);
        Assert.Contains("not above its start 500000.00", problem.Problem);
    }

    [Fact]
    public void A_negative_amount_is_refused()
    {
        var (matrix, problems) = MatrixValidation.Validate(new MatrixDocument(With(0, CreditDefault(Band(0, -5, "BranchDirector"), Band(-5, null, "HqCreditDept")))), "v");
        Assert.Null(matrix);
        Assert.Equal(["rules[0].bands[0].upTo", "rules[0].bands[1].from"], problems.Select(p => p.Field));
        Assert.Equal("Rule * × * × Credit, band 1: upTo must not be negative (-5.00).", problems[0].Problem);
    }

    [Fact]
    public void A_tier_that_does_not_exist_is_refused()
    {
        var problem = Single(With(4, new RuleDocument("B03", "*", "Credit", [Band(0, 200_000, "BranchDirector"), Band(200_000, null, "BranchDirector", "Board")])));
        Assert.Equal("rules[4].bands[1].tiers[1]", problem.Field);
        Assert.Equal("Rule B03 × * × Credit, band 2: 'Board' is not a tier: one of BranchDirector, HqCreditDept, Committee.", problem.Problem);
    }

    [Fact]
    public void Tiers_are_listed_once_in_ascending_order_and_a_band_needs_one()
    {
        var order = Single(With(0, CreditDefault(Band(0, 500_000, "HqCreditDept", "BranchDirector"), Band(500_000, null, "Committee"))));
        Assert.Equal("rules[0].bands[0].tiers[1]", order.Field);

        var none = Single(With(0, CreditDefault(Band(0, 500_000), Band(500_000, null, "Committee"))));
        Assert.Equal("rules[0].bands[0].tiers", none.Field);
    }

    [Fact]
    public void Two_rules_for_one_key_are_refused_so_each_key_has_one_path()
    {
        var rules = Valid();
        rules.Add(new RuleDocument("b03", "*", "credit", [Band(0, null, "BranchDirector")]));
        var problem = Single(rules);
        Assert.Equal("rules[5]", problem.Field);
        Assert.Equal("Rule B03 × * × Credit appears twice (rules[4] and rules[5]): each branch × product × guarantee type has exactly one tier path.", problem.Problem);
    }

    [Fact]
    public void Every_guarantee_type_needs_a_union_wide_rule()
    {
        var rules = Valid();
        rules.RemoveAt(3); // * × * × Pledge
        var problem = Single(rules);
        Assert.Equal("rules", problem.Field);
        Assert.StartsWith("There is no union-wide rule * × * × Pledge", problem.Problem);
    }

    [Fact]
    public void Unknown_products_guarantees_and_branches_are_named()
    {
        var product = Single(With(4, new RuleDocument("B03", "Tractors", "Credit", [Band(0, null, "BranchDirector")])));
        Assert.Equal("rules[4].product", product.Field);

        var branch = Single(With(4, new RuleDocument("B09", "*", "Credit", [Band(0, null, "BranchDirector")])),
            new HashSet<BranchId> { BranchId.Headquarters, BranchId.Parse("B01"), BranchId.Parse("B03") });
        Assert.Equal("rules[4].branch", branch.Field);
        Assert.Equal("There is no branch B09: one of B01, B03, HQ, or * (every branch).", branch.Problem);

        var (_, problems) = MatrixValidation.Validate(new MatrixDocument(With(4, new RuleDocument("B03", "*", "Gold", [Band(0, null, "BranchDirector")]))), "v");
        Assert.Contains(problems, p => p.Field == "rules[4].guarantee");
    }

    [Fact]
    public void An_empty_matrix_is_refused()
    {
        var problem = Single([]);
        Assert.Equal("rules", problem.Field);
    }

    [Fact]
    public void The_diff_names_changed_added_and_removed_rules()
    {
        var rules = With(0, CreditDefault(Band(0, 600_000, "BranchDirector"), Band(600_000, 2_000_000, "BranchDirector", "HqCreditDept"), Band(2_000_000, null, "BranchDirector", "HqCreditDept", "Committee")));
        rules.RemoveAt(4);
        rules.Add(new RuleDocument("B02", "FarmerMicroCredit", "Credit", [Band(0, null, "BranchDirector")]));
        var (matrix, problems) = MatrixValidation.Validate(new MatrixDocument(rules), "v2");
        Assert.Empty(problems);

        var diff = MatrixDiff.Compare(DefaultAuthorityMatrix.Create(), matrix!);
        Assert.Equal(3, diff.Count);
        var changed = Assert.Single(diff, d => d.Change == "Changed");
        Assert.Equal("* × * × Credit", changed.Rule);
        Assert.Equal("0.00–500000.00: BranchDirector", changed.Before[0]);
        Assert.Equal("0.00–600000.00: BranchDirector", changed.After[0]);
        Assert.Equal("B03 × * × Credit", Assert.Single(diff, d => d.Change == "Removed").Rule);
        Assert.Equal("B02 × FarmerMicroCredit × Credit", Assert.Single(diff, d => d.Change == "Added").Rule);
    }
}
