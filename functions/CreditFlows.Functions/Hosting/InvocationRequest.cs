using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// What the Functions host POSTs to <c>/{FunctionName}</c>: trigger and input binding values by binding
/// name, and trigger metadata. Values keep their raw JSON so each handler reads them in the shape its
/// trigger uses (<see cref="GetString"/>, <see cref="GetTimer"/>).
/// </summary>
public sealed class InvocationRequest
{
    [JsonPropertyName("Data")]
    public Dictionary<string, JsonElement> Data { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    [JsonPropertyName("Metadata")]
    public Dictionary<string, JsonElement> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A string binding value (a queue message, a blob's text). The host sends strings JSON-encoded a second
    /// time when they are not themselves JSON (<c>"\"hello\""</c>), and JSON text as a string
    /// (<c>"{\"a\":1}"</c>); both unwrap to the original text. An object value comes back as its JSON text.
    /// </summary>
    public string GetString(string bindingName)
    {
        var value = Require(bindingName);
        if (value.ValueKind != JsonValueKind.String)
        {
            return value.GetRawText();
        }

        var text = value.GetString()!;
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(text) ?? text;
            }
            catch (JsonException)
            {
                // A string that merely starts and ends with a quote: it is the value itself.
            }
        }

        return text;
    }

    /// <summary>A timer trigger's TimerInfo; the host sends it as an object, some versions as JSON text.</summary>
    /// <summary>A string input (a queue message) holding JSON of <typeparamref name="T"/>; anything else is an <see cref="InvalidInvocationException"/>.</summary>
    public T GetJson<T>(string bindingName, JsonSerializerOptions options)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(GetString(bindingName), options)
                ?? throw new InvalidInvocationException($"Input '{bindingName}' is null, not a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidInvocationException($"Input '{bindingName}' is not a {typeof(T).Name}: {ex.Message}");
        }
    }

    public TimerInfo GetTimer(string bindingName)
    {
        var value = Require(bindingName);
        var json = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        return JsonSerializer.Deserialize(json, HostJsonContext.Default.TimerInfo)
            ?? throw new InvalidInvocationException($"Binding '{bindingName}' is not a TimerInfo.");
    }

    public string? GetMetadataString(string key) =>
        Metadata.TryGetValue(key, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    public long? GetMetadataInt64(string key)
    {
        var text = GetMetadataString(key);
        return long.TryParse(text, out var number) ? number : null;
    }

    private JsonElement Require(string bindingName) =>
        Data.TryGetValue(bindingName, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value
            : throw new InvalidInvocationException($"The invocation has no value for binding '{bindingName}'.");
}

/// <summary>The invocation payload does not have the shape the function's bindings declare.</summary>
public sealed class InvalidInvocationException(string message) : Exception(message);
