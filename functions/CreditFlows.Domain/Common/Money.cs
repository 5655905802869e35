using System.Globalization;
using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Common;

/// <summary>An amount in yuan with two decimal places. Stored as fen (a long) or as text, never as a double.</summary>
[JsonConverter(typeof(MoneyJsonConverter))]
public readonly record struct Money : IComparable<Money>
{
    private Money(decimal yuan) => Yuan = yuan;

    public static readonly Money Zero = new(0m);

    public decimal Yuan { get; }

    public long Fen => decimal.ToInt64(Yuan * 100m);

    public static Money FromYuan(decimal yuan)
    {
        if (decimal.Round(yuan, 2) != yuan)
        {
            throw new ArgumentException($"{yuan} has more than two decimal places.", nameof(yuan));
        }

        return new Money(yuan);
    }

    public static Money FromFen(long fen) => new(fen / 100m);

    public static bool TryParse(string? text, out Money money)
    {
        money = Zero;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || decimal.Round(value, 2) != value)
        {
            return false;
        }

        money = new Money(value);
        return true;
    }

    public static Money operator +(Money a, Money b) => new(a.Yuan + b.Yuan);

    public static Money operator -(Money a, Money b) => new(a.Yuan - b.Yuan);

    public static bool operator <(Money a, Money b) => a.Yuan < b.Yuan;

    public static bool operator >(Money a, Money b) => a.Yuan > b.Yuan;

    public static bool operator <=(Money a, Money b) => a.Yuan <= b.Yuan;

    public static bool operator >=(Money a, Money b) => a.Yuan >= b.Yuan;

    public int CompareTo(Money other) => Yuan.CompareTo(other.Yuan);

    public override string ToString() => Yuan.ToString("0.00", CultureInfo.InvariantCulture);
}
