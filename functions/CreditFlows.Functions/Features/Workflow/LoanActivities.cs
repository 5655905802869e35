using CreditFlows.Domain.Applications;
using CreditFlows.Functions.Features.Applications;
using Microsoft.DurableTask;

namespace CreditFlows.Functions.Features.Workflow;

public sealed record ReadEventsInput(string ApplicationId, int After);

/// <summary>One effect of a stored event, as the orchestration carries it out (exactly one field is set).</summary>
public sealed record LoanEffect(ScheduleTimer? Timer = null, Notify? Notify = null, bool HandOff = false)
{
    public static LoanEffect From(Effect effect) => effect switch
    {
        ScheduleTimer t => new(Timer: t),
        Notify n => new(Notify: n),
        HandOffToCoreBanking => new(HandOff: true),
        _ => throw new InvalidOperationException($"No orchestration step for {effect.GetType().Name}."),
    };
}

/// <summary>One event of the log with its effects; <paramref name="Legacy"/> when stored before the orchestrations (no effects recorded).</summary>
public sealed record LoanEventEffects(int Sequence, string Command, IReadOnlyList<LoanEffect> Effects, bool Legacy = false);

/// <summary>
/// The log's events after the asked sequence, and where the application stands now: its state, the version its
/// stage began at and the version of its last human action (a reminder or escalation timer set before the stage
/// began, or an expiry set before the last action, can do nothing any more).
/// </summary>
public sealed record LoanEventBatch(ApplicationState State, string? AwaitingStage, bool Finished, IReadOnlyList<LoanEventEffects> Events, int StageVersion = 0, int LastActionVersion = 0);

public sealed record SendMailInput(string ApplicationId, int Sequence, int Index, Notify Notify);

public sealed record HandOffInput(string ApplicationId, int Sequence);

public sealed record FireTimerInput(string ApplicationId, ScheduleTimer Timer);

/// <summary>The activities' names: the same under the Functions host and in the embedded default.</summary>
public static class LoanActivities
{
    public const string ReadEvents = "LoanReadEvents";
    public const string SendMail = "LoanSendMail";
    public const string HandOff = "LoanHandOff";
    public const string FireTimer = "LoanFireTimer";
}

/// <summary>Reads the application's new events with their effects (no side effect; safe to repeat).</summary>
public sealed class LoanReadEventsActivity(WorkflowEffectsRunner runner) : TaskActivity<ReadEventsInput, LoanEventBatch>
{
    public override Task<LoanEventBatch> RunAsync(TaskActivityContext context, ReadEventsInput input) =>
        runner.ReadEventsAsync(input, CancellationToken.None);
}

/// <summary>Hands one event's email to the notifications queue under an id made of the event and the effect's index.</summary>
public sealed class LoanSendMailActivity(WorkflowEffectsRunner runner) : TaskActivity<SendMailInput, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, SendMailInput input) =>
        runner.SendMailAsync(input, CancellationToken.None);
}

/// <summary>Sends the core-banking hand-off, once per application however often it runs.</summary>
public sealed class LoanHandOffActivity(WorkflowEffectsRunner runner) : TaskActivity<HandOffInput, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, HandOffInput input) =>
        runner.HandOffAsync(input, CancellationToken.None);
}

/// <summary>A durable timer fired: the domain stores the reminder, escalation or expiry, or nothing when it is stale.</summary>
public sealed class LoanFireTimerActivity(WorkflowService workflow) : TaskActivity<FireTimerInput, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, FireTimerInput input) =>
        workflow.FireTimerAsync(new TimerMessage(input.ApplicationId, input.Timer.Kind, input.Timer.Version, input.Timer.DueAt), CancellationToken.None);
}
