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

/// <summary>
/// A function app folder written for one test: a host.json (queue settings, functionTimeout) whose <c>functions</c> list
/// limits the app to the test's own functions, so that the local runner runs those and none of the app's.
/// </summary>
public sealed class ScriptRoot : IDisposable
{
    public ScriptRoot(string hostJson)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "creditflows-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        File.WriteAllText(System.IO.Path.Combine(Path, "host.json"), hostJson);
    }

    public string Path { get; }

    public static string HostJson(string[] functions, string queues = """{"maxPollingInterval":"00:00:01","visibilityTimeout":"00:00:00","maxDequeueCount":5}""", string? functionTimeout = null) =>
        "{\"version\":\"2.0\",\"functions\":[" + string.Join(',', functions.Select(f => $"\"{f}\"")) + "],\"extensions\":{\"queues\":" + queues + "}"
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

/// <summary>Registers a test-only function in the catalog, with the handler the runner calls for it.</summary>
public static class TestFunctions
{
    public static IServiceCollection AddTestFunction(this IServiceCollection services, string name, FunctionBinding binding, object handler)
    {
        services.AddSingleton(new FunctionDefinition(name, binding));
        services.AddSingleton(new FunctionRegistration(name, handler.GetType(), _ => handler));
        return services;
    }
}
