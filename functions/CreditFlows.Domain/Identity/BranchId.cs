using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CreditFlows.Domain.Identity;

/// <summary>
/// A branch cooperative, or the county union's headquarters (<see cref="Headquarters"/>).
/// Ids are short codes (letters, digits, '-'), upper-cased, safe as table keys and blob path segments.
/// </summary>
[JsonConverter(typeof(BranchIdJsonConverter))]
public readonly partial record struct BranchId
{
    public static readonly BranchId Headquarters = new("HQ");

    private BranchId(string value) => Value = value;

    public string Value { get; }

    public bool IsHeadquarters => Value == Headquarters.Value;

    public static bool TryParse(string? text, out BranchId id)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var candidate = text.Trim().ToUpperInvariant();
        if (!Shape().IsMatch(candidate))
        {
            return false;
        }

        id = new BranchId(candidate);
        return true;
    }

    public static BranchId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a branch id (1-32 letters, digits or '-').");

    public override string ToString() => Value;

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,31}$")]
    private static partial Regex Shape();
}

internal sealed class BranchIdJsonConverter : JsonConverter<BranchId>
{
    public override BranchId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        BranchId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("Not a branch id.");

    public override void Write(Utf8JsonWriter writer, BranchId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
