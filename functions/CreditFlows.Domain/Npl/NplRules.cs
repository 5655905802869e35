namespace CreditFlows.Domain.Npl;

/// <summary>The ledger's daily flags.</summary>
public enum NplFlag
{
    /// <summary>Entered NPL on the day.</summary>
    NewNpl = 1,

    /// <summary>Overdue <see cref="NplRules.LitigationAfterDays"/> days or more and no litigation filed.</summary>
    LitigationDue = 2,

    /// <summary>No inspection in <see cref="NplRules.InspectionEveryDays"/> days (counted from entering NPL when never inspected).</summary>
    InspectionOverdue = 3,

    /// <summary>Left NPL on the day (including leaving the book).</summary>
    Cured = 4,
}

public enum Recoverability
{
    Recoverable = 1,
    RecoverableWithEffort = 2,
    TemporarilyUnrecoverable = 3,
}

public enum LitigationStatus
{
    None = 0,
    Filed = 1,
    InProgress = 2,
    Judged = 3,
    Enforcing = 4,
    Closed = 5,
}

/// <summary>The NPL management rules of DOMAIN.md: litigation in principle from six months overdue, an inspection at least monthly.</summary>
public sealed record NplRules(int LitigationAfterDays = 180, int InspectionEveryDays = 30)
{
    public static readonly NplRules Default = new();

    /// <summary>The date by which the next inspection is due: the last one (else entering NPL) plus the interval.</summary>
    public DateOnly InspectionDueBy(DateOnly? lastInspection, DateOnly firstNplOn) =>
        (lastInspection ?? firstNplOn).AddDays(InspectionEveryDays);

    /// <summary>The flags a ledger loan carries on <paramref name="asOf"/>.</summary>
    public IReadOnlyList<NplFlag> Flags(DateOnly asOf, bool inNpl, DateOnly? firstNplOn, DateOnly? curedOn, DateOnly? overdueSince,
        LitigationStatus litigation, DateOnly? lastInspection)
    {
        var flags = new List<NplFlag>();
        if (inNpl && firstNplOn == asOf)
        {
            flags.Add(NplFlag.NewNpl);
        }

        if (inNpl && overdueSince is { } since && asOf.DayNumber - since.DayNumber >= LitigationAfterDays && litigation == LitigationStatus.None)
        {
            flags.Add(NplFlag.LitigationDue);
        }

        if (inNpl && firstNplOn is { } first && InspectionDueBy(lastInspection, first) < asOf)
        {
            flags.Add(NplFlag.InspectionOverdue);
        }

        if (!inNpl && curedOn == asOf)
        {
            flags.Add(NplFlag.Cured);
        }

        return flags;
    }
}
