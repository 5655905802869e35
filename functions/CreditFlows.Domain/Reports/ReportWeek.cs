using System.Globalization;

namespace CreditFlows.Domain.Reports;

/// <summary>
/// An ISO 8601 week (Monday to Sunday), written <c>2026-W47</c>: the unit of the weekly NPL report (周报告). The report of
/// a week describes the book at the end of that week (its Sunday, or the last monitored day before it).
/// </summary>
public readonly record struct ReportWeek(int Year, int Week) : IComparable<ReportWeek>
{
    public DateOnly Monday => DateOnly.FromDateTime(ISOWeek.ToDateTime(Year, Week, DayOfWeek.Monday));

    public DateOnly Sunday => Monday.AddDays(6);

    public ReportWeek Previous => Of(Monday.AddDays(-7));

    public static ReportWeek Of(DateOnly date)
    {
        var at = date.ToDateTime(TimeOnly.MinValue);
        return new ReportWeek(ISOWeek.GetYear(at), ISOWeek.GetWeekOfYear(at));
    }

    /// <summary>The week a Monday-morning report is about: the one that ended yesterday.</summary>
    public static ReportWeek EndedBefore(DateOnly today) => Of(today).Monday == today ? Of(today.AddDays(-1)) : Of(today).Previous;

    public static bool TryParse(string? text, out ReportWeek week)
    {
        week = default;
        if (text is not { Length: 8 } || text[4] != '-' || text[5] is not ('W' or 'w')
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || year is < 2000 or > 2999 || number < 1 || number > ISOWeek.GetWeeksInYear(year))
        {
            return false;
        }

        week = new ReportWeek(year, number);
        return true;
    }

    public int CompareTo(ReportWeek other) => Monday.CompareTo(other.Monday);

    public static bool operator <(ReportWeek a, ReportWeek b) => a.CompareTo(b) < 0;

    public static bool operator >(ReportWeek a, ReportWeek b) => a.CompareTo(b) > 0;

    public static bool operator <=(ReportWeek a, ReportWeek b) => a.CompareTo(b) <= 0;

    public static bool operator >=(ReportWeek a, ReportWeek b) => a.CompareTo(b) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-W{Week:00}");
}
