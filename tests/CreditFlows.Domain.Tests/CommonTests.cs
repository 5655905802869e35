using CreditFlows.Domain.Common;

namespace CreditFlows.Domain.Tests;

public class CommonTests
{
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Business_date_is_the_date_in_China_Standard_Time()
    {
        // 2026-03-31 17:30 UTC is already 1 April 01:30 in Beijing.
        var clock = new BusinessClock(new FixedTime(new DateTimeOffset(2026, 3, 31, 17, 30, 0, TimeSpan.Zero)),
            TimeZoneInfo.FindSystemTimeZoneById(BusinessClock.DefaultTimeZoneId));

        Assert.Equal(new DateOnly(2026, 4, 1), clock.Today);
    }

    [Fact]
    public void Business_date_follows_the_configured_zone() =>
        Assert.Equal(new DateOnly(2026, 3, 31), new BusinessClock(
            new FixedTime(new DateTimeOffset(2026, 3, 31, 17, 30, 0, TimeSpan.Zero)), TimeZoneInfo.Utc).Today);

    [Theory]
    [InlineData("1234.5", 123450)]
    [InlineData("0.01", 1)]
    [InlineData("30000000", 3000000000)]
    public void Money_parses_yuan_and_counts_fen(string text, long fen)
    {
        Assert.True(Money.TryParse(text, out var money));
        Assert.Equal(fen, money.Fen);
        Assert.Equal(money, Money.FromFen(fen));
    }

    [Theory]
    [InlineData("1.234")]
    [InlineData("abc")]
    [InlineData("1e5")]
    [InlineData("")]
    public void Money_refuses_more_than_two_decimals_and_non_numbers(string text) => Assert.False(Money.TryParse(text, out _));

    [Fact]
    public void Money_adds_and_compares_exactly() =>
        Assert.Equal("0.30", (Money.FromYuan(0.1m) + Money.FromYuan(0.2m)).ToString());
}
