using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The custom handler's handler contract, kept only for the handlers of the home-made outbox and workflow timers
/// (OutboxDispatch, OutboxSweep, WorkflowTimer in Features/Outbox and Features/Applications), which the Durable
/// Functions re-platform removes. <see cref="LegacyQueueFunction{THandler}"/> and <see cref="LegacyTimerFunction{THandler}"/>
/// run them as an <see cref="IQueueFunction"/> and an <see cref="ITimerFunction"/>. New functions implement those.
/// </summary>
public interface IFunctionHandler
{
    Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}

/// <summary>Trigger values by binding name and trigger metadata, in the custom handler's shape (see <see cref="IFunctionHandler"/>).</summary>
public sealed class InvocationRequest
{
    [JsonPropertyName("Data")]
    public Dictionary<string, JsonElement> Data { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    [JsonPropertyName("Metadata")]
    public Dictionary<string, JsonElement> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A string binding value. Non-JSON text arrives JSON-encoded a second time (<c>"\"hello\""</c>), JSON text as a
    /// string (<c>"{\"a\":1}"</c>); both unwrap to the original text. An object value comes back as its JSON text.
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

    /// <summary>A string input (a queue message) holding JSON of <typeparamref name="T"/>; anything else is an <see cref="InvalidInvocationException"/>.</summary>
    public T GetJson<T>(string bindingName, JsonSerializerOptions options)
        where T : class => QueueMessages.Read<T>(GetString(bindingName), options);

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

/// <summary>Runs an <see cref="IFunctionHandler"/> queue function as an <see cref="IQueueFunction"/>: the message as binding <c>message</c>.</summary>
public sealed class LegacyQueueFunction<THandler>(THandler handler) : IQueueFunction
    where THandler : IFunctionHandler
{
    public Task<InvocationResult> RunAsync(string message, long dequeueCount, CancellationToken cancellationToken) =>
        handler.InvokeAsync(new InvocationRequest
        {
            // As the custom handler's host sent it: JSON text as a string, any other text JSON-encoded once more.
            Data = { ["message"] = JsonSerializer.SerializeToElement(LooksLikeJson(message) ? message : JsonSerializer.Serialize(message)) },
            Metadata = { ["DequeueCount"] = JsonSerializer.SerializeToElement(dequeueCount) },
        }, cancellationToken);

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || !((trimmed[0] == '{' && trimmed[^1] == '}') || (trimmed[0] == '[' && trimmed[^1] == ']')))
        {
            return false;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>Runs an <see cref="IFunctionHandler"/> timer function as an <see cref="ITimerFunction"/>: the occurrence as binding <c>timer</c>.</summary>
public sealed class LegacyTimerFunction<THandler>(THandler handler) : ITimerFunction
    where THandler : IFunctionHandler
{
    public Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken) =>
        handler.InvokeAsync(new InvocationRequest
        {
            Data = { ["timer"] = JsonSerializer.SerializeToElement(new { timer.ScheduleStatus, timer.IsPastDue }) },
        }, cancellationToken);
}
