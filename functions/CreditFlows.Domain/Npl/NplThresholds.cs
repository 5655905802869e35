namespace CreditFlows.Domain.Npl;

/// <summary>
/// Everything HQ decides about the NPL job for one business date: the classification thresholds, the ledger's
/// litigation and inspection rules, and the early-warning thresholds.
/// </summary>
public sealed record NplThresholds(ClassificationPolicy Classification, NplRules Rules, WarningThresholds Warnings)
{
    public static readonly NplThresholds Default = new(ClassificationPolicy.Default, NplRules.Default, new WarningThresholds());
}
