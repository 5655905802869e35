using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Authority;

/// <summary>
/// The rules a matrix version must keep so that every (branch, product, guarantee type, amount) maps to exactly
/// one tier path:
/// <list type="bullet">
/// <item>each rule names a branch id or <c>*</c> (and a branch the union has, when the caller knows them), a
/// product or <c>*</c>, and a guarantee type; no two rules have the same key;</item>
/// <item>every guarantee type has a union-wide rule (<c>*</c> × <c>*</c>), the fallback for any other key;</item>
/// <item>bands start at 0, are contiguous (each starts where the one before ends) and ascending, and only the
/// last is open-ended; no amount is negative;</item>
/// <item>each band names at least one existing tier, in ascending order of authority, without repeats.</item>
/// </list>
/// Problems name the field as sent (<c>rules[2].bands[1].from</c>) and say which rule and band is wrong.
/// </summary>
public static class MatrixValidation
{
    public static (AuthorityMatrix? Matrix, IReadOnlyList<FieldProblem> Problems) Validate(MatrixDocument? document, string version, IReadOnlySet<BranchId>? knownBranches = null)
    {
        var problems = new List<FieldProblem>();
        var rules = document?.Rules;
        if (rules is null || rules.Count == 0)
        {
            problems.Add(new("rules", "A matrix needs at least one rule; every guarantee type needs a union-wide rule (branch *, product *)."));
            return (null, problems);
        }

        var built = new List<MatrixRule>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < rules.Count; i++)
        {
            if (CheckRule(rules[i], i, knownBranches, problems) is not { } rule)
            {
                continue;
            }

            var key = MatrixDocuments.KeyOf(rule.Branch, rule.Product, rule.Guarantee);
            if (seen.TryGetValue(key, out var first))
            {
                problems.Add(new($"rules[{i}]", $"Rule {key} appears twice (rules[{first}] and rules[{i}]): each branch × product × guarantee type has exactly one tier path."));
                continue;
            }

            seen[key] = i;
            built.Add(rule);
        }

        foreach (var guarantee in Enum.GetValues<GuaranteeType>())
        {
            var hasDefault = rules.Any(r => r?.Branch?.Trim() == AuthorityMatrix.AnyBranch && r.Product?.Trim() == AuthorityMatrix.AnyProduct
                && Enum.TryParse<GuaranteeType>(r.Guarantee?.Trim(), ignoreCase: true, out var g) && g == guarantee);
            if (!hasDefault)
            {
                problems.Add(new("rules", $"There is no union-wide rule {MatrixDocuments.KeyOf(AuthorityMatrix.AnyBranch, AuthorityMatrix.AnyProduct, guarantee)}: a {guarantee} loan at a branch or product without its own rule would have no tier path."));
            }
        }

        return problems.Count > 0 ? (null, problems) : (new AuthorityMatrix(version, built), problems);
    }

    private static MatrixRule? CheckRule(RuleDocument? rule, int i, IReadOnlySet<BranchId>? knownBranches, List<FieldProblem> problems)
    {
        var at = $"rules[{i}]";
        if (rule is null)
        {
            problems.Add(new(at, "is empty: a rule names branch, product, guarantee and bands."));
            return null;
        }

        var before = problems.Count;
        var branch = rule.Branch?.Trim();
        if (branch != AuthorityMatrix.AnyBranch)
        {
            if (!BranchId.TryParse(branch, out var id))
            {
                problems.Add(new($"{at}.branch", $"'{rule.Branch}' is not a branch id (1-32 letters, digits or '-') nor * (every branch)."));
            }
            else if (knownBranches is not null && !knownBranches.Contains(id))
            {
                problems.Add(new($"{at}.branch", $"There is no branch {id}: one of {string.Join(", ", knownBranches.Select(b => b.Value).Order(StringComparer.Ordinal))}, or * (every branch)."));
            }
            else
            {
                branch = id.Value;
            }
        }

        var product = rule.Product?.Trim();
        if (product != AuthorityMatrix.AnyProduct)
        {
            var name = Enum.GetNames<Product>().FirstOrDefault(n => n.Equals(product, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                problems.Add(new($"{at}.product", $"'{rule.Product}' is not a product: one of {string.Join(", ", Enum.GetNames<Product>())}, or * (every product)."));
            }

            product = name;
        }

        var guaranteeName = Enum.GetNames<GuaranteeType>().FirstOrDefault(n => n.Equals(rule.Guarantee?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (guaranteeName is null)
        {
            problems.Add(new($"{at}.guarantee", $"'{rule.Guarantee}' is not a guarantee type: one of {string.Join(", ", Enum.GetNames<GuaranteeType>())}."));
        }

        var key = $"{branch ?? rule.Branch ?? "?"} × {product ?? rule.Product ?? "?"} × {guaranteeName ?? rule.Guarantee ?? "?"}";
        var bands = CheckBands(rule.Bands, at, key, problems);
        return problems.Count > before ? null : new MatrixRule(branch!, product!, Enum.Parse<GuaranteeType>(guaranteeName!), bands);
    }

    private static List<AmountBand> CheckBands(IReadOnlyList<BandDocument>? bands, string at, string key, List<FieldProblem> problems)
    {
        var built = new List<AmountBand>();
        if (bands is null || bands.Count == 0)
        {
            problems.Add(new($"{at}.bands", $"Rule {key} has no bands: it needs at least one, starting at 0, the last open-ended."));
            return built;
        }

        Money? previousEnd = null;
        for (var j = 0; j < bands.Count; j++)
        {
            var band = bands[j];
            var here = $"{at}.bands[{j}]";
            var name = $"Rule {key}, band {j + 1}";
            var last = j == bands.Count - 1;
            if (band is null)
            {
                problems.Add(new(here, $"{name} is empty."));
                return built;
            }

            var from = band.From ?? (j == 0 ? Money.Zero : previousEnd);
            if (band.From is { } f && f < Money.Zero)
            {
                problems.Add(new($"{here}.from", $"{name}: from must not be negative ({f})."));
            }
            else if (j == 0 && from != Money.Zero)
            {
                problems.Add(new($"{here}.from", $"{name} starts at {from}: the first band must start at 0."));
            }
            else if (j > 0 && previousEnd is { } end && from is { } start && start != end)
            {
                problems.Add(new($"{here}.from", start > end
                    ? $"{name} starts at {start} but band {j} ends at {end}: amounts above {end} up to {start} would have no tier path (a gap)."
                    : $"{name} starts at {start} but band {j} ends at {end}: amounts above {start} up to {end} would be in two bands (an overlap)."));
            }

            if (band.UpTo is { } upTo)
            {
                if (upTo < Money.Zero)
                {
                    problems.Add(new($"{here}.upTo", $"{name}: upTo must not be negative ({upTo})."));
                }
                else if (last)
                {
                    problems.Add(new($"{here}.upTo", $"{name} ends at {upTo}: the last band must be open-ended (no upTo), so every amount has a tier path."));
                }
                else if (from is { } start && upTo <= start)
                {
                    problems.Add(new($"{here}.upTo", $"{name} ends at {upTo}, not above its start {start}: bands must ascend."));
                }
            }
            else if (!last)
            {
                problems.Add(new($"{here}.upTo", $"{name} is open-ended but band {j + 2} follows: only the last band may be open-ended."));
            }

            var tiers = CheckTiers(band.Tiers, here, name, problems);
            built.Add(new AmountBand(band.UpTo, tiers));
            previousEnd = band.UpTo;
        }

        return built;
    }

    private static List<ApprovalTier> CheckTiers(IReadOnlyList<string>? names, string here, string name, List<FieldProblem> problems)
    {
        var tiers = new List<ApprovalTier>();
        if (names is null || names.Count == 0)
        {
            problems.Add(new($"{here}.tiers", $"{name} names no tier: at least one of {string.Join(", ", Enum.GetNames<ApprovalTier>())}."));
            return tiers;
        }

        for (var k = 0; k < names.Count; k++)
        {
            var known = Enum.GetNames<ApprovalTier>().FirstOrDefault(n => n.Equals(names[k]?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                problems.Add(new($"{here}.tiers[{k}]", $"{name}: '{names[k]}' is not a tier: one of {string.Join(", ", Enum.GetNames<ApprovalTier>())}."));
                continue;
            }

            var tier = Enum.Parse<ApprovalTier>(known);
            if (tiers.Count > 0 && tier <= tiers[^1])
            {
                problems.Add(new($"{here}.tiers[{k}]", $"{name}: {tier} after {tiers[^1]}: tiers are listed once each, in ascending order of authority ({string.Join(" → ", Enum.GetNames<ApprovalTier>())})."));
                continue;
            }

            tiers.Add(tier);
        }

        return tiers;
    }
}
