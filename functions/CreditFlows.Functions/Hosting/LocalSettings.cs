using System.Text.Json;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// <c>func start</c>'s convention without <c>func</c>: in the embedded default (no Functions host), the <c>Values</c> of
/// <c>local.settings.json</c> become environment variables of this process (never overriding one already
/// set), so the app reads them exactly as it reads app settings in Azure. The file is looked for at
/// <c>CREDITFLOWS_LOCAL_SETTINGS</c>, then beside the executable, then in the working directory.
/// </summary>
public static class LocalSettings
{
    public const string PathVariable = "CREDITFLOWS_LOCAL_SETTINGS";

    public static string? Apply()
    {
        var path = new[]
        {
            Environment.GetEnvironmentVariable(PathVariable),
            Path.Combine(AppContext.BaseDirectory, "local.settings.json"),
            Path.Combine(Directory.GetCurrentDirectory(), "local.settings.json"),
        }.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
        if (path is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var setting in values.EnumerateObject())
            {
                if (Environment.GetEnvironmentVariable(setting.Name) is null)
                {
                    Environment.SetEnvironmentVariable(setting.Name, setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : setting.Value.GetRawText());
                }
            }
        }

        return path;
    }

    /// <summary>Lets <c>AZURE_FUNCTIONS_ENVIRONMENT</c> name the ASP.NET Core environment when nothing else does.</summary>
    public static void AlignEnvironmentName()
    {
        var functionsEnvironment = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT");
        if (!string.IsNullOrEmpty(functionsEnvironment)
            && Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is null
            && Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is null)
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", functionsEnvironment);
        }
    }
}
