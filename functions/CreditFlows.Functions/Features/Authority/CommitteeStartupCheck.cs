using CreditFlows.Functions.Features.Applications;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>
/// Warns at start when no loan review committee is configured (<c>Workflow:Committee:Members</c>): the app still
/// runs, but an application reaching the Committee tier could then only close, rejected, at its deadline.
/// </summary>
public sealed partial class CommitteeStartupCheck(IOptions<WorkflowOptions> options, ILogger<CommitteeStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Committee.ToRules().Members.Count == 0)
        {
            LogNoCommittee(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "No loan review committee is configured (Workflow:Committee:Members, Workflow:Committee:Chair): applications at the Committee tier cannot be voted on")]
    private static partial void LogNoCommittee(ILogger logger);
}
