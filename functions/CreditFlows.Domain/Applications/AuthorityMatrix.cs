using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Applications;

/// <summary>One amount band: amounts up to and including <see cref="UpTo"/> (open-ended when null) need these tiers, in order.</summary>
public sealed record AmountBand(Money? UpTo, IReadOnlyList<ApprovalTier> Tiers);

/// <summary>The bands for one branch (or <c>*</c>) × product (or <c>*</c>) × guarantee type.</summary>
public sealed record MatrixRule(string Branch, string Product, GuaranteeType Guarantee, IReadOnlyList<AmountBand> Bands);

/// <summary>What routing needs to know about an application.</summary>
public sealed record RouteRequest(
    BranchId Branch,
    Product Product,
    GuaranteeType Guarantee,
    Money Amount,
    Money TotalExposure,
    bool PledgedWithOwnDeposits,
    bool EmployeeRelated);

/// <summary>The tiers an application must pass, in order, the matrix version they came from, and why.</summary>
public sealed record Route(string MatrixVersion, IReadOnlyList<ApprovalTier> Tiers, IReadOnlyList<string> Reasons);

/// <summary>
/// The authority matrix HQ sets (授权): for each branch × product × guarantee type, ascending amount bands
/// naming the tiers that must approve. The most specific rule wins: branch and product, then branch, then
/// product, then the union-wide default. On top of the bands: a loan pledged only with this union's own
/// certificates of deposit stays at branch level; an application related to an employee goes one tier
/// higher; a borrower whose exposure together with its associated customers exceeds
/// <see cref="ConcentrationLimit"/> goes to the top tier.
/// </summary>
public sealed record AuthorityMatrix(string Version, IReadOnlyList<MatrixRule> Rules)
{
    public const string AnyBranch = "*";
    public const string AnyProduct = "*";

    /// <summary>One customer plus its associated customers, above which only the top tier may approve (DOMAIN.md).</summary>
    public static readonly Money ConcentrationLimit = Money.FromYuan(30_000_000m);

    public Route Route(RouteRequest request)
    {
        var rule = FindRule(request.Branch, request.Product, request.Guarantee)
            ?? throw new InvalidOperationException($"Authority matrix {Version} has no rule for {request.Branch} × {request.Product} × {request.Guarantee}.");
        var band = rule.Bands.First(b => b.UpTo is null || request.Amount <= b.UpTo.Value);
        var tiers = new SortedSet<ApprovalTier>(band.Tiers);
        var reasons = new List<string>
        {
            $"Band {(band.UpTo is { } upTo ? $"up to {upTo}" : "open-ended")} of rule {rule.Branch} × {rule.Product} × {rule.Guarantee}: {string.Join(" → ", band.Tiers)}.",
        };

        if (request.PledgedWithOwnDeposits && request.Guarantee == GuaranteeType.Pledge)
        {
            tiers = [ApprovalTier.BranchDirector];
            reasons.Add("Pledged only with this union's own certificates of deposit: stays at branch level.");
        }

        if (request.EmployeeRelated)
        {
            var above = (ApprovalTier)Math.Min((int)tiers.Max + 1, (int)ApprovalTier.Committee);
            tiers.Add(above);
            reasons.Add($"Related to an employee: one tier higher, up to {above}.");
        }

        if (request.TotalExposure > ConcentrationLimit)
        {
            foreach (var tier in Enum.GetValues<ApprovalTier>())
            {
                tiers.Add(tier);
            }

            reasons.Add($"Exposure with associated customers {request.TotalExposure} exceeds {ConcentrationLimit}: top tier.");
        }

        return new Route(Version, [.. tiers], reasons);
    }

    private MatrixRule? FindRule(BranchId branch, Product product, GuaranteeType guarantee)
    {
        var name = product.ToString();
        return Match(branch.Value, name) ?? Match(branch.Value, AnyProduct) ?? Match(AnyBranch, name) ?? Match(AnyBranch, AnyProduct);

        MatrixRule? Match(string b, string p) => Rules.FirstOrDefault(r =>
            r.Guarantee == guarantee && r.Branch.Equals(b, StringComparison.OrdinalIgnoreCase) && r.Product.Equals(p, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// The matrix the app starts with until HQ sets its own (the HQ administration issue). Figures are the demo
/// union's: modest branch limits, HQ above them, the committee for large loans; Xinji (B03), a small branch,
/// has lower credit-loan limits.
/// </summary>
public static class DefaultAuthorityMatrix
{
    public const string Version = "default-2026-01";

    public static AuthorityMatrix Create()
    {
        const ApprovalTier D = ApprovalTier.BranchDirector, H = ApprovalTier.HqCreditDept, C = ApprovalTier.Committee;
        static Money Y(decimal yuan) => Money.FromYuan(yuan);
        static MatrixRule Rule(string branch, GuaranteeType g, decimal branchLimit, decimal hqLimit) =>
            new(branch, AuthorityMatrix.AnyProduct, g,
            [
                new AmountBand(Y(branchLimit), [D]),
                new AmountBand(Y(hqLimit), [D, H]),
                new AmountBand(null, [D, H, C]),
            ]);

        return new AuthorityMatrix(Version,
        [
            Rule(AuthorityMatrix.AnyBranch, GuaranteeType.Credit, 500_000m, 2_000_000m),
            Rule(AuthorityMatrix.AnyBranch, GuaranteeType.Guarantee, 1_000_000m, 5_000_000m),
            Rule(AuthorityMatrix.AnyBranch, GuaranteeType.Mortgage, 2_000_000m, 10_000_000m),
            Rule(AuthorityMatrix.AnyBranch, GuaranteeType.Pledge, 2_000_000m, 10_000_000m),
            Rule("B03", GuaranteeType.Credit, 200_000m, 1_000_000m),
        ]);
    }
}
