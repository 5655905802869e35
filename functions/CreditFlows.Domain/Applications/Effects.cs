using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Applications;

/// <summary>A side effect of a transition, carried out after it is stored (through the outbox).</summary>
public abstract record Effect;

/// <summary>
/// An email to one person (<see cref="UserId"/>) or to whoever holds <see cref="Role"/> for <see cref="Branch"/>
/// (the branch's own holders, else headquarters').
/// </summary>
public sealed record Notify(string Kind, string? UserId, Role? Role, BranchId? Branch, string Subject, string Text) : Effect;

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TimerKind>))]
public enum TimerKind
{
    /// <summary>At the reminder fraction of a stage's deadline: remind the assignee.</summary>
    Reminder = 1,

    /// <summary>At a stage's deadline: escalate to the supervising role.</summary>
    Escalation = 2,

    /// <summary>After the inactivity period: expire the application.</summary>
    Expiry = 3,
}

/// <summary>
/// A durable timer: fires at <see cref="DueAt"/> and does something only if the application is still where it
/// was when the timer was set (<see cref="Version"/>: the stage's entry version, or for expiry the last action's).
/// </summary>
public sealed record ScheduleTimer(TimerKind Kind, int Version, DateTimeOffset DueAt) : Effect;

/// <summary>Send the core banking system what it needs to open the loan account and disburse.</summary>
public sealed record HandOffToCoreBanking : Effect;

/// <summary>
/// One stored transition: the event the log keeps (command, who, before → after) and the effects to carry out.
/// A transition may leave the state as it was (a saved investigation, a reminder sent).
/// </summary>
public sealed record Transition(
    int Sequence,
    string Command,
    string ActorId,
    string ActorName,
    string ActingRole,
    DateTimeOffset At,
    ApplicationState From,
    ApplicationState To,
    string? Comment,
    IReadOnlyDictionary<string, object?> Detail,
    IReadOnlyList<Effect> Effects);
