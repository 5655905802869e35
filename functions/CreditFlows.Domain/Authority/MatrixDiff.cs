using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;

namespace CreditFlows.Domain.Authority;

/// <summary>What changed for one rule key between two versions: <c>Added</c>, <c>Removed</c> or <c>Changed</c>, with the bands before and after.</summary>
public sealed record RuleChange(string Rule, string Change, IReadOnlyList<string> Before, IReadOnlyList<string> After);

/// <summary>Compares two matrix versions rule by rule (by branch × product × guarantee type); unchanged rules are left out.</summary>
public static class MatrixDiff
{
    public static IReadOnlyList<RuleChange> Compare(AuthorityMatrix from, AuthorityMatrix to)
    {
        var before = from.Rules.ToDictionary(Key, Bands, StringComparer.OrdinalIgnoreCase);
        var after = to.Rules.ToDictionary(Key, Bands, StringComparer.OrdinalIgnoreCase);
        var changes = new List<RuleChange>();
        foreach (var key in before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            var had = before.GetValueOrDefault(key);
            var has = after.GetValueOrDefault(key);
            if (had is null)
            {
                changes.Add(new(key, "Added", [], has!));
            }
            else if (has is null)
            {
                changes.Add(new(key, "Removed", had, []));
            }
            else if (!had.SequenceEqual(has))
            {
                changes.Add(new(key, "Changed", had, has));
            }
        }

        return changes;
    }

    private static string Key(MatrixRule rule) => MatrixDocuments.KeyOf(rule.Branch, rule.Product, rule.Guarantee);

    private static IReadOnlyList<string> Bands(MatrixRule rule)
    {
        var from = Money.Zero;
        var described = new List<string>();
        foreach (var band in rule.Bands)
        {
            described.Add(MatrixDocuments.Describe(from, band.UpTo, band.Tiers));
            from = band.UpTo ?? from;
        }

        return described;
    }
}
