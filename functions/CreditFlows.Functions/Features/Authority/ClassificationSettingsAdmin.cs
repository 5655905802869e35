using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Features.Npl;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>
/// Maker-checker for the NPL thresholds (classification day limits, restructured floor, litigation and inspection
/// rules, early-warning thresholds), stored in table <c>HqSettings</c>, partition <c>classification</c>; read by the NPL
/// job through <see cref="NplThresholdsSource"/> for the extract's date.
/// </summary>
public sealed class ClassificationSettingsAdmin(NplThresholdsSource source, BusinessClock clock)
    : SettingsAdmin<ClassificationSettings>(source.Versions, clock, ClassificationSettings.Kind, "CS", settings => settings.Problems())
{
    protected override async Task<(string? Version, ClassificationSettings Settings)> InForceTodayAsync(CancellationToken cancellationToken)
    {
        var (version, thresholds) = await source.InForceAsync(Clock.Today, cancellationToken);
        return (version, ClassificationSettings.From(thresholds));
    }

    protected override void Invalidate() => source.Invalidate();
}
