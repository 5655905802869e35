namespace CreditFlows.Domain.Npl;

/// <summary>
/// The rule of the five-category classification: days overdue → the least category a loan may have.
/// A loan overdue <b>more than</b> a threshold is at least that category; a restructured loan is at least
/// <see cref="RestructuredFloor"/>. Defaults are the current Chinese rules for financial asset risk
/// classification (DOMAIN.md); HQ can change them (the <c>Npl</c> settings).
/// </summary>
public sealed record ClassificationPolicy(
    int SpecialMentionAfterDays = 0,
    int SubstandardAfterDays = 90,
    int DoubtfulAfterDays = 270,
    int LossAfterDays = 360,
    LoanCategory RestructuredFloor = LoanCategory.Substandard)
{
    public static readonly ClassificationPolicy Default = new();

    /// <summary>Longest threshold accepted: ten years.</summary>
    public const int MaxDays = 3650;

    /// <summary>What is wrong with these thresholds, by setting name; empty when they are usable.</summary>
    public IEnumerable<(string Field, string Problem)> Problems()
    {
        if (SpecialMentionAfterDays < 0)
        {
            yield return (nameof(SpecialMentionAfterDays), "must be 0 or more.");
        }

        if (SubstandardAfterDays <= SpecialMentionAfterDays)
        {
            yield return (nameof(SubstandardAfterDays), $"must be more than {nameof(SpecialMentionAfterDays)}.");
        }

        if (DoubtfulAfterDays <= SubstandardAfterDays)
        {
            yield return (nameof(DoubtfulAfterDays), $"must be more than {nameof(SubstandardAfterDays)}.");
        }

        if (LossAfterDays <= DoubtfulAfterDays || LossAfterDays > MaxDays)
        {
            yield return (nameof(LossAfterDays), $"must be more than {nameof(DoubtfulAfterDays)} and at most {MaxDays}.");
        }

        if (!Enum.IsDefined(RestructuredFloor))
        {
            yield return (nameof(RestructuredFloor), "must be one of Normal, SpecialMention, Substandard, Doubtful, Loss.");
        }
    }

    /// <summary>The classification kernel: the category the rule gives a loan overdue <paramref name="daysOverdue"/> days.</summary>
    public LoanCategory Classify(int daysOverdue, bool restructured)
    {
        var category = daysOverdue > LossAfterDays ? LoanCategory.Loss
            : daysOverdue > DoubtfulAfterDays ? LoanCategory.Doubtful
            : daysOverdue > SubstandardAfterDays ? LoanCategory.Substandard
            : daysOverdue > SpecialMentionAfterDays ? LoanCategory.SpecialMention
            : LoanCategory.Normal;
        return restructured && category < RestructuredFloor ? RestructuredFloor : category;
    }

    /// <summary>
    /// Days overdue on <paramref name="asOf"/>: the larger of the distances to the first unpaid principal and
    /// interest due dates (nothing unpaid: 0). A due date of <paramref name="asOf"/> itself is 0 days: the loan
    /// is overdue from the next day.
    /// </summary>
    public static int DaysOverdue(DateOnly asOf, DateOnly? principalOverdueSince, DateOnly? interestOverdueSince)
    {
        var earliest = Earliest(principalOverdueSince, interestOverdueSince);
        return earliest is { } since ? Math.Max(0, asOf.DayNumber - since.DayNumber) : 0;
    }

    /// <summary>The earlier of two "overdue since" dates: the one days overdue counts from.</summary>
    public static DateOnly? Earliest(DateOnly? a, DateOnly? b) =>
        a is null ? b : b is null ? a : a.Value <= b.Value ? a : b;
}
