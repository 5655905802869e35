using CreditFlows.Functions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// The real app (<see cref="Program"/>) on Kestrel at a free loopback port, against real Azurite. Each
/// instance gets its own runner host id, so timer status blobs and locks never cross between tests unless a
/// test shares one on purpose. The local runner is off unless a test turns it on.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly string _environment;

    public TestApp(string environment = "Development", IDictionary<string, string?>? settings = null)
    {
        _environment = environment;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["LocalRunner:Enabled"] = "false",
            ["LocalRunner:HostId"] = $"t{Guid.NewGuid():N}"[..30],
            // Each app its own Durable task hub, so one test's orchestrations never run in another test's app.
            ["DurableTask:HubName"] = $"t{Guid.NewGuid():N}"[..24],
            ["Demo:Seed"] = "true",
            ["Identity:DevTokenSigningKey"] = "test-signing-key-of-at-least-32-characters",
            // The workflow's tests and bench uploads no scans; DocumentTests turn the credit file checklist on.
            ["Documents:EnforceChecklist"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public string HostId => _settings["LocalRunner:HostId"]!;

    public string HubName => _settings["DurableTask:HubName"]!;

    public TestApp WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Starts the server (and with it the runner, when enabled) and answers a client for it.</summary>
    public HttpClient Start()
    {
        StartServer();
        return CreateClient();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }
}

/// <summary>A function app folder written for one test: host.json and the function.json files it names.</summary>
public sealed class ScriptRoot : IDisposable
{
    public ScriptRoot(string hostJson, params (string Name, string FunctionJson)[] functions)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "creditflows-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        File.WriteAllText(System.IO.Path.Combine(Path, "host.json"), hostJson);
        foreach (var (name, json) in functions)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, name));
            File.WriteAllText(System.IO.Path.Combine(Path, name, "function.json"), json);
        }
    }

    public string Path { get; }

    public static string Timer(string schedule, bool? runOnStartup = null, bool? useMonitor = null)
    {
        var extra = (runOnStartup is null ? "" : $",\"runOnStartup\":{(runOnStartup.Value ? "true" : "false")}")
            + (useMonitor is null ? "" : $",\"useMonitor\":{(useMonitor.Value ? "true" : "false")}");
        return "{\"bindings\":[{\"type\":\"timerTrigger\",\"direction\":\"in\",\"name\":\"timer\",\"schedule\":\"" + schedule + "\"" + extra + "}]}";
    }

    public static string Queue(string queueName) =>
        $$"""{"bindings":[{"type":"queueTrigger","direction":"in","name":"message","queueName":"{{queueName}}","connection":"AzureWebJobsStorage"}]}""";

    public static string HostJson(string queues = """{"maxPollingInterval":"00:00:01","visibilityTimeout":"00:00:00","maxDequeueCount":5}""", string? functionTimeout = null) =>
        "{\"version\":\"2.0\",\"customHandler\":{\"description\":{\"defaultExecutablePath\":\"CreditFlows.Functions\"},\"enableProxyingHttpRequest\":true},\"extensions\":{\"queues\":" + queues + "}"
        + (functionTimeout is null ? "" : $",\"functionTimeout\":\"{functionTimeout}\"") + "}";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Temp files; the OS cleans up.
        }
    }
}

/// <summary>Registers a test-only function handler for a function folder written by <see cref="ScriptRoot"/>.</summary>
public static class TestFunctions
{
    public static IServiceCollection AddTestFunction(this IServiceCollection services, string name, IFunctionHandler handler)
    {
        services.AddSingleton(new FunctionRegistration(name, _ => handler));
        return services;
    }
}
