using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>
/// Maker-checker for the workflow settings (stage deadlines, reminder point, expiry, first inspection,
/// responsibility shares), stored in table <c>HqSettings</c>, partition <c>workflow</c>; read by the workflow through
/// <see cref="WorkflowPolicySource"/>.
/// </summary>
public sealed class WorkflowSettingsAdmin(WorkflowPolicySource source, BusinessClock clock)
    : SettingsAdmin<WorkflowSettings>(source.Versions, clock, WorkflowSettings.Kind, "WS", settings => settings.Problems())
{
    protected override async Task<(string? Version, WorkflowSettings Settings)> InForceTodayAsync(CancellationToken cancellationToken) =>
        (await Versions.InForceAsync(Clock.Today, cancellationToken), WorkflowSettings.From(await source.GetAsync(cancellationToken)));

    protected override void Invalidate() => source.Invalidate();
}
