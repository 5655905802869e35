using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;

namespace CreditFlows.Domain.Authority;

/// <summary>
/// An authority matrix as HQ writes it (the JSON body, the JSON export, one sheet of the .xlsx): rules of
/// branch (<c>*</c> = every branch) × product (<c>*</c> = every product) × guarantee type, each with ascending
/// amount bands. Names are text here so that a wrong one can be reported; <see cref="MatrixValidation"/> turns a
/// document into an <see cref="AuthorityMatrix"/> or says exactly which rule and band is wrong.
/// </summary>
public sealed record MatrixDocument(IReadOnlyList<RuleDocument>? Rules);

public sealed record RuleDocument(string? Branch, string? Product, string? Guarantee, IReadOnlyList<BandDocument>? Bands);

/// <summary>
/// Amounts above <see cref="From"/> up to and including <see cref="UpTo"/> (the first band starts at 0 and
/// includes it; the last has no <see cref="UpTo"/>). An amount exactly at a boundary belongs to the lower band.
/// </summary>
public sealed record BandDocument(Money? From, Money? UpTo, IReadOnlyList<string>? Tiers);

public static class MatrixDocuments
{
    /// <summary>The document of a stored matrix: each band's <c>from</c> is the previous band's upper limit.</summary>
    public static MatrixDocument From(AuthorityMatrix matrix) => new(matrix.Rules.Select(rule =>
    {
        var from = Money.Zero;
        var bands = new List<BandDocument>();
        foreach (var band in rule.Bands)
        {
            bands.Add(new BandDocument(from, band.UpTo, band.Tiers.Select(t => t.ToString()).ToList()));
            from = band.UpTo ?? from;
        }

        return new RuleDocument(rule.Branch, rule.Product, rule.Guarantee.ToString(), bands);
    }).ToList());

    /// <summary>How a rule is named in messages and diffs: <c>B03 × * × Credit</c>.</summary>
    public static string KeyOf(string branch, string product, GuaranteeType guarantee) => $"{branch} × {product} × {guarantee}";

    /// <summary>One band as text: <c>0.00–500000.00: BranchDirector → HqCreditDept</c>.</summary>
    public static string Describe(Money from, Money? upTo, IEnumerable<ApprovalTier> tiers) =>
        $"{from}–{(upTo is { } u ? u.ToString() : "∞")}: {string.Join(" → ", tiers)}";
}
