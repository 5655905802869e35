using CreditFlows.Domain.Applications;
using Microsoft.DurableTask;

namespace CreditFlows.Functions.Features.Workflow;

/// <summary>What the orchestration carries from one generation to the next (ContinueAsNew).</summary>
/// <param name="ApplicationId">The application this instance follows (instance id <c>loan-{id}</c>).</param>
/// <param name="Applied">The last event of the application's log whose effects this orchestration has carried out.</param>
/// <param name="Timers">Durable timers still to fire: one per kind, the latest the log asked for.</param>
public sealed record LoanWorkflowInput(string ApplicationId, int Applied = 0, IReadOnlyList<ScheduleTimer>? Timers = null);

/// <summary>A command was stored: the application's log now reaches <paramref name="Version"/>.</summary>
public sealed record LoanChanged(int Version);

/// <summary>Custom status: how far the orchestration has applied the log, and where the application waits.</summary>
public sealed record LoanWorkflowStatus(int Applied, ApplicationState State, string? AwaitingStage, DateTimeOffset? NextTimerAt);

/// <summary>
/// One loan application's orchestration. Commands change the application at once (the synchronous API); this
/// orchestration owns time and side effects: it reads the new events of the application's log (an activity),
/// carries out their effects in order (mail, the core-banking hand-off: each an idempotent activity keyed by the
/// event), keeps the stage's durable timers (reminder at 80% of the deadline, escalation at 100%, expiry), and
/// waits for the next command's <see cref="LoanChanged"/> event raced against the earliest timer. The events
/// only wake it: what to do always comes from the log, so a lost, late or repeated event changes nothing.
/// </summary>
public sealed class LoanWorkflow : TaskOrchestrator<LoanWorkflowInput, string>
{
    public const string Name = nameof(LoanWorkflow);

    /// <summary>
    /// The orchestration's version, stamped on every new instance. An instance keeps the version it started
    /// with; a change to the sequence of awaits below must keep the old path for <c>context.Version</c> "1".
    /// </summary>
    public const string Version = "1";

    public const string ChangedEvent = "changed";

    /// <summary>Loops per generation before ContinueAsNew keeps the history short (unprocessed events are kept).</summary>
    public const int LoopsPerGeneration = 25;

    public static string InstanceId(string applicationId) => $"loan-{applicationId}";

    public static readonly TaskOptions ActivityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 8, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(5)));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, LoanWorkflowInput input)
    {
        var applied = input.Applied;
        var timers = new List<ScheduleTimer>(input.Timers ?? []);
        for (var loop = 0; loop < LoopsPerGeneration; loop++)
        {
            var batch = await context.CallActivityAsync<LoanEventBatch>(LoanActivities.ReadEvents, new ReadEventsInput(input.ApplicationId, applied), ActivityRetry);
            foreach (var change in batch.Events)
            {
                // One event's mails go out together (fan-out: entering the committee mails every member at once).
                var mails = new List<Task<string>>();
                for (var index = 0; index < change.Effects.Count; index++)
                {
                    var effect = change.Effects[index];
                    if (effect.Timer is { } timer)
                    {
                        timers.RemoveAll(t => t.Kind == timer.Kind);
                        timers.Add(timer);
                    }
                    else if (effect.Notify is { } notify)
                    {
                        mails.Add(context.CallActivityAsync<string>(LoanActivities.SendMail, new SendMailInput(input.ApplicationId, change.Sequence, index, notify), ActivityRetry));
                    }
                }

                await Task.WhenAll(mails);
                if (change.Effects.Any(e => e.HandOff))
                {
                    await context.CallActivityAsync<string>(LoanActivities.HandOff, new HandOffInput(input.ApplicationId, change.Sequence), ActivityRetry);
                }

                applied = change.Sequence;
            }

            // Timers of an earlier stage (or an expiry from before the last action) would find nothing to do.
            timers.RemoveAll(t => t.Version < (t.Kind == TimerKind.Expiry ? batch.LastActionVersion : batch.StageVersion));
            if (batch.Finished)
            {
                context.SetCustomStatus(new LoanWorkflowStatus(applied, batch.State, null, null));
                return batch.State.ToString();
            }

            var next = timers.MinBy(t => t.DueAt);
            context.SetCustomStatus(new LoanWorkflowStatus(applied, batch.State, batch.AwaitingStage, next?.DueAt));
            using var cancel = new CancellationTokenSource();
            var changed = context.WaitForExternalEvent<LoanChanged>(ChangedEvent, cancel.Token);
            if (next is null)
            {
                await changed;
                continue;
            }

            var due = context.CreateTimer(next.DueAt.UtcDateTime, cancel.Token);
            if (await Task.WhenAny(changed, due) == due)
            {
                cancel.Cancel();
                timers.Remove(next);
                await context.CallActivityAsync<string>(LoanActivities.FireTimer, new FireTimerInput(input.ApplicationId, next), ActivityRetry);
            }
            else
            {
                cancel.Cancel();
            }
        }

        context.ContinueAsNew(new LoanWorkflowInput(input.ApplicationId, applied, timers));
        return "continued";
    }
}
