using System.Text;

namespace CreditFlows.Domain.Npl;

/// <summary>Parsing of extract fields straight from their UTF-8 bytes: amounts to fen, ISO dates, booleans.</summary>
public static class Utf8Fields
{
    /// <summary>Largest amount accepted: 10^13 fen (100 billion yuan).</summary>
    public const long MaxFen = 10_000_000_000_000;

    public enum AmountResult
    {
        Ok,
        Invalid,
        Negative,
    }

    /// <summary>A yuan amount with at most two decimals ("1234", "1234.5", "1234.56") as fen.</summary>
    public static AmountResult TryParseFen(ReadOnlySpan<byte> text, out long fen)
    {
        fen = 0;
        text = Trim(text);
        if (text.IsEmpty)
        {
            return AmountResult.Invalid;
        }

        var negative = text[0] == (byte)'-';
        if (negative || text[0] == (byte)'+')
        {
            text = text[1..];
        }

        long whole = 0;
        var i = 0;
        var digits = 0;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            whole = (whole * 10) + (text[i] - '0');
            i++;
            if (++digits > 13)
            {
                return AmountResult.Invalid;
            }
        }

        long cents = 0;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            var decimals = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                if (++decimals > 2)
                {
                    return AmountResult.Invalid;
                }

                cents = (cents * 10) + (text[i] - '0');
                i++;
            }

            if (decimals == 1)
            {
                cents *= 10;
            }

            digits += decimals;
        }

        if (i != text.Length || digits == 0)
        {
            return AmountResult.Invalid;
        }

        fen = (whole * 100) + cents;
        if (fen > MaxFen)
        {
            return AmountResult.Invalid;
        }

        if (negative && fen != 0)
        {
            fen = -fen;
            return AmountResult.Negative;
        }

        return AmountResult.Ok;
    }

    /// <summary>A date written yyyy-MM-dd.</summary>
    public static bool TryParseDate(ReadOnlySpan<byte> text, out DateOnly date)
    {
        date = default;
        text = Trim(text);
        if (text.Length != 10 || text[4] != (byte)'-' || text[7] != (byte)'-')
        {
            return false;
        }

        if (!Digits(text[..4], out var year) || !Digits(text[5..7], out var month) || !Digits(text[8..], out var day))
        {
            return false;
        }

        if (year < 1900 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>"true" or "false" in any case; an empty field is false.</summary>
    public static bool TryParseBool(ReadOnlySpan<byte> text, out bool value)
    {
        text = Trim(text);
        value = false;
        if (text.IsEmpty)
        {
            return true;
        }

        if (Ascii.EqualsIgnoreCase(text, "true"u8))
        {
            value = true;
            return true;
        }

        return Ascii.EqualsIgnoreCase(text, "false"u8);
    }

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && text[start] == (byte)' ')
        {
            start++;
        }

        while (end > start && text[end - 1] == (byte)' ')
        {
            end--;
        }

        return text[start..end];
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
