using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Common;

/// <summary>Money in JSON is a number of yuan (or a string holding one) with at most two decimal places.</summary>
public sealed class MoneyJsonConverter : JsonConverter<Money>
{
    public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDecimal().ToString(CultureInfo.InvariantCulture),
            JsonTokenType.String => reader.GetString(),
            _ => throw new JsonException("An amount is a number of yuan."),
        };
        return Money.TryParse(text, out var money) ? money : throw new JsonException("An amount is a number of yuan with at most two decimal places.");
    }

    public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Yuan);
}
