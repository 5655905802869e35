using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreditFlows.Functions.Hosting;

/// <summary>One function as its function.json declares it: the folder name and the trigger binding.</summary>
public sealed record FunctionMetadata(string Name, string TriggerType, JsonObject Trigger)
{
    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    public string BindingName => Trigger["name"]?.GetValue<string>() ?? throw new InvalidOperationException($"Function '{Name}': the trigger binding has no name.");

    public string? GetSetting(string property) => Trigger[property] switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    public bool? GetBool(string property) => Trigger[property] switch
    {
        JsonValue value when value.TryGetValue<bool>(out var b) => b,
        JsonValue value when value.TryGetValue<string>(out var s) && bool.TryParse(s, out var b) => b,
        _ => null,
    };
}

/// <summary>
/// The function app folder as the Functions host sees it: host.json and one folder per function holding
/// its function.json. The local runner reads the same files, so they are the single source of truth for
/// triggers, schedules and queue names.
/// </summary>
public sealed class FunctionApp
{
    private FunctionApp(string scriptRoot, JsonObject hostJson, IReadOnlyList<FunctionMetadata> functions)
    {
        ScriptRoot = scriptRoot;
        HostJson = hostJson;
        Functions = functions;
    }

    public string ScriptRoot { get; }

    public JsonObject HostJson { get; }

    public IReadOnlyList<FunctionMetadata> Functions { get; }

    public static FunctionApp Load(string scriptRoot)
    {
        var hostPath = Path.Combine(scriptRoot, "host.json");
        if (!File.Exists(hostPath))
        {
            throw new InvalidOperationException($"No host.json in the function app folder '{scriptRoot}'. Set FunctionApp:ScriptRoot to the folder that holds it.");
        }

        var host = ParseObject(hostPath);
        var functions = new List<FunctionMetadata>();
        foreach (var folder in Directory.EnumerateDirectories(scriptRoot).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, "function.json");
            if (!File.Exists(path))
            {
                continue;
            }

            var json = ParseObject(path);
            var name = Path.GetFileName(folder);
            if (json["disabled"] is JsonValue disabled && disabled.TryGetValue<bool>(out var isDisabled) && isDisabled)
            {
                continue;
            }

            var trigger = (json["bindings"] as JsonArray)?
                .OfType<JsonObject>()
                .SingleOrDefault(b => b["type"]?.GetValue<string>()?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true)
                ?? throw new InvalidOperationException($"{path}: a function needs exactly one trigger binding.");
            functions.Add(new FunctionMetadata(name, trigger["type"]!.GetValue<string>(), trigger));
        }

        return new FunctionApp(scriptRoot, host, functions);
    }

    /// <summary>
    /// host.json <c>functionTimeout</c>: how long one invocation may run before the host gives up on it (the
    /// host's default for plans without a limit is 30 minutes; <c>-1</c> means none).
    /// </summary>
    public TimeSpan? FunctionTimeout
    {
        get
        {
            var text = GetHostSetting("functionTimeout");
            if (text is null)
            {
                return TimeSpan.FromMinutes(30);
            }

            if (text == "-1")
            {
                return null;
            }

            return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
                ? value
                : throw new InvalidOperationException($"host.json functionTimeout is '{text}'; expected hh:mm:ss or -1.");
        }
    }

    /// <summary>A host.json setting by path, e.g. <c>extensions:queues:batchSize</c>.</summary>
    public string? GetHostSetting(string path)
    {
        JsonNode? node = HostJson;
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

    private static JsonObject ParseObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidOperationException($"{path} is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }
}
