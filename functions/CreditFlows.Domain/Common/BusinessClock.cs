namespace CreditFlows.Domain.Common;

/// <summary>
/// The cooperative's business calendar: turns the injected <see cref="TimeProvider"/>'s instant into the
/// business date in the cooperative's time zone (China Standard Time unless configured otherwise).
/// The domain never reads the system clock directly.
/// </summary>
public sealed class BusinessClock(TimeProvider time, TimeZoneInfo zone)
{
    public const string DefaultTimeZoneId = "Asia/Shanghai";

    public TimeZoneInfo Zone { get; } = zone;

    public DateTimeOffset Now => time.GetUtcNow();

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Zone).DateTime);

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);
}
