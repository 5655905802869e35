using NCrontab;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// A timer trigger's NCRONTAB schedule: six fields (<c>{second} {minute} {hour} {day} {month} {day-of-week}</c>)
/// or five (no seconds). Evaluated in UTC: function.json schedules are UTC, and so is every time here.
/// </summary>
public sealed class CronSchedule
{
    private readonly CrontabSchedule _schedule;

    private CronSchedule(string expression, CrontabSchedule schedule)
    {
        Expression = expression;
        _schedule = schedule;
    }

    public string Expression { get; }

    public static CronSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            throw new FormatException($"'{expression}' is not an NCRONTAB schedule: it has {fields} fields, expected 6 ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}) or 5.");
        }

        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 })
            ?? throw new FormatException($"'{expression}' is not a valid NCRONTAB schedule.");
        return new CronSchedule(expression, schedule);
    }

    /// <summary>The first occurrence strictly after <paramref name="afterUtc"/>.</summary>
    public DateTime NextAfter(DateTime afterUtc) =>
        DateTime.SpecifyKind(_schedule.GetNextOccurrence(DateTime.SpecifyKind(afterUtc, DateTimeKind.Unspecified)), DateTimeKind.Utc);

    /// <summary>The host's default for <c>useMonitor</c>: on, unless the schedule recurs more often than once a minute.</summary>
    public bool RecursAtLeastAMinuteApart(DateTime fromUtc)
    {
        var first = NextAfter(fromUtc);
        var second = NextAfter(first);
        return second - first >= TimeSpan.FromMinutes(1);
    }
}
