using Azure.Storage.Queues;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// Queue function <c>WorkflowTimer</c> (queue <c>workflow-timers</c>): a durable timer surfaced. One that
/// surfaced early (its delay was capped at seven days) is sent again for the rest; a due one goes to the
/// application, which ignores it if it has moved on.
/// </summary>
public sealed class WorkflowTimerFunction(WorkflowService workflow, QueueServiceClient queues, BusinessClock clock) : IFunctionHandler
{
    public const string Name = "WorkflowTimer";

    /// <summary>A timer this close to due is treated as due (clocks of queue service and app differ slightly).</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var timer = request.GetJson<TimerMessage>("message", ApplicationStore.Json);
        if (string.IsNullOrEmpty(timer.ApplicationId))
        {
            throw new InvalidInvocationException("The timer message names no application.");
        }

        var now = clock.Now;
        if (timer.DueAt - now > Tolerance)
        {
            await DurableTimers.SendAsync(queues, timer, now, cancellationToken);
            return InvocationResult.Empty().Log($"{timer.Kind} for {timer.ApplicationId} is due {timer.DueAt:O}; sent again for {DurableTimers.DelayUntil(timer.DueAt, now)}.");
        }

        return InvocationResult.Empty().Log(await workflow.FireTimerAsync(timer, cancellationToken));
    }
}
