using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The app's host.json, which the Functions host reads and the embedded default reads too: queue settings
/// (<c>extensions.queues</c>), <c>functionTimeout</c>, and the optional <c>functions</c> list that limits which
/// functions load. It sits beside the executable; <c>FunctionApp:ScriptRoot</c> names another folder (tests do).
/// </summary>
public sealed class HostJson
{
    private HostJson(string path, JsonObject json)
    {
        Path = path;
        Json = json;
    }

    public string Path { get; }

    public JsonObject Json { get; }

    public static HostJson Load(IConfiguration configuration)
    {
        var configured = configuration["FunctionApp:ScriptRoot"];
        return Load(string.IsNullOrWhiteSpace(configured) ? AppContext.BaseDirectory : configured);
    }

    public static HostJson Load(string scriptRoot)
    {
        var path = System.IO.Path.Combine(scriptRoot, "host.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No host.json in the function app folder '{scriptRoot}'. Set FunctionApp:ScriptRoot to the folder that holds it.");
        }

        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidOperationException($"{path} is not a JSON object.");
            return new HostJson(path, json);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// <c>functionTimeout</c>: how long one invocation may run before the host gives up on it (the host's default for
    /// plans without a limit is 30 minutes; <c>-1</c> means none).
    /// </summary>
    public TimeSpan? FunctionTimeout
    {
        get
        {
            var text = GetSetting("functionTimeout");
            if (text is null)
            {
                return TimeSpan.FromMinutes(30);
            }

            if (text == "-1")
            {
                return null;
            }

            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
                ? value
                : throw new InvalidOperationException($"host.json functionTimeout is '{text}'; expected hh:mm:ss or -1.");
        }
    }

    /// <summary>host.json <c>functions</c>: when present, only the functions it names load (as under the host).</summary>
    public IReadOnlySet<string>? Functions =>
        Json.FirstOrDefault(p => p.Key.Equals("functions", StringComparison.OrdinalIgnoreCase)).Value is JsonArray names
            ? names.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : null;

    /// <summary>A setting by path, e.g. <c>extensions:queues:batchSize</c>.</summary>
    public string? GetSetting(string path)
    {
        JsonNode? node = Json;
        foreach (var part in path.Split(':'))
        {
            node = node is JsonObject obj
                ? obj.FirstOrDefault(p => p.Key.Equals(part, StringComparison.OrdinalIgnoreCase)).Value
                : null;
        }

        return node switch
        {
            JsonValue value when value.TryGetValue<string>(out var s) => s,
            JsonValue value => value.ToJsonString(),
            _ => null,
        };
    }
}
