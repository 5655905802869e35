using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditFlows.Bench;

/// <summary>
/// The real app (<see cref="global::Program"/>) on Kestrel at a free loopback port against the given storage, set up as
/// the integration tests set it up: Development, demo data seeded, development tokens with a fixed key, and the
/// local runner off (no timer or queue trigger runs while commands are measured). The embedded Durable engine runs
/// (orchestrations live) on a task hub of its own, unless <c>hubName</c> names one an earlier app used. An
/// <see cref="OrchestrationTap"/>, when given, hears the engine's history commits (its Information logs), while the
/// app's other logs stay at <c>appLogLevel</c>.
/// </summary>
public sealed class BenchApp : WebApplicationFactory<global::Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly OrchestrationTap? _tap;

    public BenchApp(string storage, string appLogLevel, IDictionary<string, string?>? settings = null, string? hubName = null, OrchestrationTap? tap = null)
    {
        _tap = tap;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = storage,
            ["LocalRunner:Enabled"] = "false",
            ["LocalRunner:HostId"] = $"b{Guid.NewGuid():N}"[..30],
            ["Demo:Seed"] = "true",
            ["Identity:DevTokenSigningKey"] = "bench-signing-key-of-at-least-32-characters",
            // The workflow's tests and bench uploads no scans; DocumentTests turn the credit file checklist on.
            ["Documents:EnforceChecklist"] = "false",
            ["Logging:LogLevel:Default"] = appLogLevel,
            ["DurableTask:HubName"] = hubName ?? NewHubName(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    /// <summary>The task hub this app's Durable engine runs.</summary>
    public string HubName => _settings["DurableTask:HubName"]!;

    /// <summary>A task hub nobody used yet (letters and digits, starting with a letter, at most 45).</summary>
    public static string NewHubName() => $"bench{Guid.NewGuid():N}"[..24];

    /// <summary>Starts Kestrel and answers the address it listens on.</summary>
    public Uri Start()
    {
        StartServer();
        using var client = CreateClient();
        return client.BaseAddress ?? throw new InvalidOperationException("The app did not report its address.");
    }

    /// <summary>A development token for a user, signed by the running app.</summary>
    public string TokenFor(string id, string branch, params Role[] roles) =>
        Services.GetRequiredService<DevTokens>().Issue(new CreditUser(id, id, roles.ToHashSet(), BranchId.Parse(branch)));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_tap is not null)
        {
            builder.ConfigureLogging(logging =>
            {
                logging.AddProvider(_tap);
                logging.AddFilter<OrchestrationTap>(OrchestrationTap.Category, LogLevel.Information);
            });
        }
    }
}
