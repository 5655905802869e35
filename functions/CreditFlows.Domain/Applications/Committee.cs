using System.Globalization;
using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Applications;

/// <summary>A share such as two thirds, kept exact (2/3 of 3 is 2, not 2.0001 rounded up to 3).</summary>
public readonly record struct Fraction(int Numerator, int Denominator)
{
    public static readonly Fraction TwoThirds = new(2, 3);

    /// <summary>The smallest whole number at least this share of <paramref name="count"/>.</summary>
    public int AtLeastOf(int count) => ((count * Numerator) + Denominator - 1) / Denominator;

    /// <summary>Whether <paramref name="part"/> is at least this share of <paramref name="whole"/>.</summary>
    public bool IsReachedBy(int part, int whole) => whole > 0 && part * Denominator >= Numerator * whole;

    public bool IsValid => Denominator > 0 && Numerator > 0 && Numerator <= Denominator;

    public static bool TryParse(string? text, out Fraction fraction)
    {
        fraction = default;
        var parts = text?.Split('/', StringSplitOptions.TrimEntries);
        if (parts is not { Length: 2 } || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var d))
        {
            return false;
        }

        fraction = new Fraction(n, d);
        return fraction.IsValid;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}

/// <summary>What happens when the committee's deadline passes before it has decided.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CommitteeDeadlineOutcome>))]
public enum CommitteeDeadlineOutcome
{
    /// <summary>The vote closes: approved if the quorum voted and enough approved (the chair had the time to veto), else rejected.</summary>
    Reject = 1,

    /// <summary>The chair is told the vote is overdue; the vote stays open.</summary>
    Escalate = 2,
}

/// <summary>
/// The union's loan review committee (贷审会): its members' user ids (the chair among them), the quorum (a share
/// of the members who must vote), the share of votes cast that must approve, and what a passed deadline does.
/// </summary>
public sealed record CommitteeRules
{
    public IReadOnlyList<string> Members { get; init; } = [];

    public string? Chair { get; init; }

    public Fraction Quorum { get; init; } = Fraction.TwoThirds;

    public Fraction ApprovalShare { get; init; } = Fraction.TwoThirds;

    public CommitteeDeadlineOutcome DeadlineOutcome { get; init; } = CommitteeDeadlineOutcome.Reject;
}

[JsonConverter(typeof(JsonStringEnumConverter<Ballot>))]
public enum Ballot
{
    Approve = 1,
    Reject = 2,

    /// <summary>The chair's veto of an approval: the application is rejected at once. Nobody can veto a rejection.</summary>
    Veto = 3,
}

public sealed record CommitteeBallot(string UserId, string UserName, Ballot Vote, string Opinion, DateTimeOffset At);

/// <summary>
/// One round's vote, with the committee as it was when the application reached it (a later change of members does
/// not change a vote under way). <see cref="Quorum"/> is the number of members who must vote.
/// </summary>
public sealed record CommitteeVote
{
    public int Round { get; init; }

    public IReadOnlyList<string> Members { get; init; } = [];

    public string? Chair { get; init; }

    public int Quorum { get; init; }

    public Fraction ApprovalShare { get; init; } = Fraction.TwoThirds;

    public DateTimeOffset OpenedAt { get; init; }

    public List<CommitteeBallot> Ballots { get; init; } = [];

    /// <summary>Null while open; then Approved or Rejected, and why.</summary>
    public string? Outcome { get; set; }

    public int Approvals => Ballots.Count(b => b.Vote == Ballot.Approve);

    /// <summary>Whether the quorum has voted and enough of the votes cast approve.</summary>
    public bool ApprovalReached => Ballots.Count >= Quorum && ApprovalShare.IsReachedBy(Approvals, Ballots.Count);

    public string Tally => $"{Approvals} of {Ballots.Count} votes cast approve ({Members.Count} members, quorum {Quorum}, approval needs {ApprovalShare} of votes cast)";

    public IReadOnlyList<string> Named => Ballots.Select(b => $"{b.UserId}: {b.Vote} — {b.Opinion}").ToList();
}
