using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The answer to the host: output binding values by name, log lines for the invocation log, and the
/// <c>$return</c> value. Only a 2xx answer counts as success; anything else makes the host retry.
/// </summary>
public sealed class InvocationResult
{
    [JsonPropertyName("Outputs")]
    public Dictionary<string, object?> Outputs { get; init; } = [];

    [JsonPropertyName("Logs")]
    public List<string> Logs { get; init; } = [];

    [JsonPropertyName("ReturnValue")]
    public object? ReturnValue { get; set; }

    public static InvocationResult Empty() => new();

    public InvocationResult Log(string line)
    {
        Logs.Add(line);
        return this;
    }
}
