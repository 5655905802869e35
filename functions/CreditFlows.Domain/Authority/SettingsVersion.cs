using System.Text.Json.Serialization;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Authority;

/// <summary>Where a version of an HQ setting (the authority matrix, the workflow settings) is in maker-checker.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VersionStatus>))]
public enum VersionStatus
{
    /// <summary>Being written by its maker; the only status in which the content can change.</summary>
    Draft = 1,

    /// <summary>Frozen, waiting for a second HqAdmin.</summary>
    Submitted = 2,

    /// <summary>Approved by a second HqAdmin: in force from its effective date until a later one takes over.</summary>
    Approved = 3,

    /// <summary>Refused by the checker; kept, never used.</summary>
    Rejected = 4,
}

/// <summary>
/// The record of one version: who made, submitted and decided it, and when it takes effect. Nothing is deleted;
/// <see cref="Revision"/> counts the maker's edits (the API's ETag).
/// </summary>
public sealed record SettingsVersion
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public VersionStatus Status { get; init; } = VersionStatus.Draft;

    /// <summary>The business date (the union's time zone) from whose start the version is in force.</summary>
    public DateOnly? EffectiveFrom { get; init; }

    public string? Note { get; init; }

    /// <summary>The version this draft was copied from, or the version named in an imported file.</summary>
    public string? BasedOn { get; init; }

    /// <summary>How the content arrived: <c>api</c>, <c>json</c> or <c>xlsx</c> import, or <c>system</c>.</summary>
    public string Source { get; init; } = "api";

    public required string CreatedBy { get; init; }

    public required string CreatedByName { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    public string? DecidedBy { get; init; }

    public string? DecidedByName { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public string? DecisionComment { get; init; }

    public int Revision { get; init; } = 1;
}

/// <summary>
/// Maker-checker for HQ settings: an <see cref="Role.HqAdmin"/> makes a draft, edits and submits it; a
/// <b>different</b> HqAdmin approves (or rejects) it; it takes effect at the start of its effective date, which may
/// not be in the past when submitted or approved. Each method refuses with <see cref="SettingsRefusal"/> before
/// anything changes, and answers the changed record.
/// </summary>
public static class MakerChecker
{
    public static SettingsVersion NewDraft(string id, string kind, CreditUser maker, DateOnly? effectiveFrom, string? note, string? basedOn, string source, DateOnly today, DateTimeOffset now)
    {
        RequireAdmin(maker, "make a draft");
        CheckNote(note);
        CheckEffectiveFrom(effectiveFrom, today, required: false);
        return new SettingsVersion
        {
            Id = id, Kind = kind, EffectiveFrom = effectiveFrom, Note = note?.Trim(), BasedOn = basedOn, Source = source,
            CreatedBy = maker.Id, CreatedByName = maker.Name, CreatedAt = now,
        };
    }

    public static SettingsVersion Edit(SettingsVersion version, CreditUser actor, DateOnly? effectiveFrom, string? note, DateOnly today)
    {
        RequireMaker(version, actor, "edit");
        CheckNote(note);
        CheckEffectiveFrom(effectiveFrom, today, required: false);
        return version with { EffectiveFrom = effectiveFrom, Note = note?.Trim(), Revision = version.Revision + 1 };
    }

    public static SettingsVersion Submit(SettingsVersion version, CreditUser actor, DateOnly today, DateTimeOffset now)
    {
        RequireMaker(version, actor, "submit");
        CheckEffectiveFrom(version.EffectiveFrom, today, required: true);
        return version with { Status = VersionStatus.Submitted, SubmittedAt = now };
    }

    public static SettingsVersion Approve(SettingsVersion version, CreditUser checker, DateOnly today, DateTimeOffset now)
    {
        RequireChecker(version, checker, "approve");
        CheckEffectiveFrom(version.EffectiveFrom, today, required: true);
        return version with { Status = VersionStatus.Approved, DecidedBy = checker.Id, DecidedByName = checker.Name, DecidedAt = now };
    }

    public static SettingsVersion Reject(SettingsVersion version, CreditUser checker, string? comment, DateTimeOffset now)
    {
        RequireChecker(version, checker, "reject");
        if (string.IsNullOrWhiteSpace(comment) || comment.Length > 2000)
        {
            throw SettingsRefusal.Invalid("comment", "A rejection says why (1-2000 characters).");
        }

        return version with { Status = VersionStatus.Rejected, DecidedBy = checker.Id, DecidedByName = checker.Name, DecidedAt = now, DecisionComment = comment.Trim() };
    }

    /// <summary>The version in force on <paramref name="date"/>: the approved one with the latest effective date not after it.</summary>
    public static SettingsVersion? InForce(IEnumerable<SettingsVersion> versions, DateOnly date) =>
        versions.Where(v => v.Status == VersionStatus.Approved && v.EffectiveFrom <= date).MaxBy(v => v.EffectiveFrom);

    private static void CheckEffectiveFrom(DateOnly? effectiveFrom, DateOnly today, bool required)
    {
        if (effectiveFrom is null && required)
        {
            throw SettingsRefusal.Invalid("effectiveFrom", "is required (yyyy-MM-dd): the business date from which the version is in force.");
        }

        if (effectiveFrom is { } date && date < today)
        {
            throw SettingsRefusal.Invalid("effectiveFrom", $"{date:yyyy-MM-dd} is in the past (today is {today:yyyy-MM-dd}): a version takes effect today or later.");
        }
    }

    private static void CheckNote(string? note)
    {
        if (note is { Length: > 2000 })
        {
            throw SettingsRefusal.Invalid("note", "is at most 2000 characters.");
        }
    }

    private static void RequireAdmin(CreditUser actor, string what)
    {
        if (!actor.IsInRole(Role.HqAdmin))
        {
            throw SettingsRefusal.NotPermitted($"Only an HqAdmin may {what}.");
        }
    }

    private static void RequireMaker(SettingsVersion version, CreditUser actor, string what)
    {
        RequireAdmin(actor, $"{what} a draft");
        if (version.Status != VersionStatus.Draft)
        {
            throw SettingsRefusal.Conflict($"Version {version.Id} is {version.Status}: only a draft can be {(what == "edit" ? "edited" : "submitted")}. Make a new draft based on it instead.");
        }

        if (version.CreatedBy != actor.Id)
        {
            throw SettingsRefusal.NotPermitted($"Version {version.Id} is {version.CreatedBy}'s draft: only its maker may {what} it.");
        }
    }

    private static void RequireChecker(SettingsVersion version, CreditUser checker, string what)
    {
        RequireAdmin(checker, $"{what} a version");
        if (version.Status != VersionStatus.Submitted)
        {
            throw SettingsRefusal.Conflict(version.Status == VersionStatus.Draft
                ? $"Version {version.Id} is still a draft: its maker submits it first."
                : $"Version {version.Id} is already {version.Status} (by {version.DecidedBy}).");
        }

        if (version.CreatedBy == checker.Id)
        {
            throw SettingsRefusal.NotPermitted($"You made version {version.Id}: a different HqAdmin must {what} it (maker-checker).");
        }
    }
}

public enum SettingsRefusalKind
{
    /// <summary>Bad input (400), naming the fields.</summary>
    Invalid = 1,

    /// <summary>Not this caller (403): role, or maker-checker.</summary>
    NotPermitted = 2,

    /// <summary>Not in this status, or another change got there first (409).</summary>
    Conflict = 3,
}

/// <summary>Why a settings command was refused. Nothing is written.</summary>
public sealed class SettingsRefusal : Exception
{
    private SettingsRefusal(SettingsRefusalKind kind, string message, IReadOnlyList<FieldProblem> problems)
        : base(message)
    {
        Kind = kind;
        Problems = problems;
    }

    public SettingsRefusalKind Kind { get; }

    public IReadOnlyList<FieldProblem> Problems { get; }

    public static SettingsRefusal Invalid(string field, string problem) => new(SettingsRefusalKind.Invalid, $"{field}: {problem}", [new(field, problem)]);

    public static SettingsRefusal Invalid(IReadOnlyList<FieldProblem> problems) =>
        new(SettingsRefusalKind.Invalid, string.Join("; ", problems.Select(p => $"{p.Field}: {p.Problem}")), problems);

    public static SettingsRefusal NotPermitted(string why) => new(SettingsRefusalKind.NotPermitted, why, []);

    public static SettingsRefusal Conflict(string why) => new(SettingsRefusalKind.Conflict, why, []);
}
