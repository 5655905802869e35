using System.ComponentModel.DataAnnotations;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Authority;
using CreditFlows.Functions.Features.Branches;
using CreditFlows.Functions.Features.Demo;
using CreditFlows.Functions.Features.Documents;
using CreditFlows.Functions.Features.Health;
using CreditFlows.Functions.Features.Heartbeat;
using CreditFlows.Functions.Features.Me;
using CreditFlows.Functions.Features.Notifications;
using CreditFlows.Functions.Features.Npl;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Features.Workflow;
using CreditFlows.Functions.Hosting.Durable;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Identity;
using CreditFlows.Functions.LocalRunner;
using CreditFlows.Functions.Storage;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions;

/// <summary>Settings of section <c>CreditFlows</c>.</summary>
public sealed class CreditFlowsOptions
{
    public const string Section = "CreditFlows";

    /// <summary>The cooperative's business time zone (IANA or Windows id).</summary>
    [Required]
    public string TimeZone { get; set; } = BusinessClock.DefaultTimeZoneId;

    /// <summary>The largest request body the API accepts, in bytes (uploads set their own limit).</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>The app's composition: one call per area, so Program.cs stays short.</summary>
public static class CreditFlowsApp
{
    public const string DefaultLocalUrl = "http://localhost:7071";

    public static WebApplicationBuilder AddCreditFlows(this WebApplicationBuilder builder)
    {
        ConfigureServer(builder);
        var services = builder.Services;
        services.AddOptions<CreditFlowsOptions>().BindConfiguration(CreditFlowsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "CreditFlows:TimeZone is not a time zone this machine knows.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BusinessClock(sp.GetRequiredService<TimeProvider>(),
            TimeZoneInfo.FindSystemTimeZoneById(sp.GetRequiredService<IOptions<CreditFlowsOptions>>().Value.TimeZone)));

        // Settings are read when services are built, not here, so that tests (and any later source) can set them.
        services.AddCreditFlowsProblemDetails();
        services.AddCreditFlowsIdentity();
        services.AddCreditFlowsStorage();
        services.AddFunctionApp();
        services.AddLocalRunner();
        services.AddFeatures();
        services.AddCreditFlowsOpenApi();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        return builder;
    }

    public static WebApplication UseCreditFlows(this WebApplication app)
    {
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCreditFlowsApiDocs();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapFunctionInvocations();
        app.MapHealthEndpoints();
        app.MapAdminEndpoints(localRunner: LocalRunnerExtensions.IsEnabled(app.Configuration));
        var api = app.MapGroup("/api").RequireAuthorization(IdentityExtensions.MemberPolicy);
        api.MapMeEndpoints();
        api.MapBranchEndpoints();
        api.MapApplicationEndpoints();
        api.MapMailFailureEndpoints();
        api.MapAuthorityEndpoints();
        api.MapHqSettingsEndpoints();
        api.MapNplEndpoints();
        api.MapDocumentEndpoints();
        api.MapReportEndpoints();
        if (app.Environment.IsDevelopment())
        {
            app.MapDevEndpoints();
            app.MapMailCaptureEndpoints();
            app.MapNplDevEndpoints();
        }

        return app;
    }

    private static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddSingleton<TransactionalOutbox>();
        services.AddSingleton<OutboxNotifier>();
        services.AddFunction<OutboxDispatchFunction>(OutboxDispatchFunction.Name);
        services.AddSingleton<HeartbeatStore>();
        services.AddSingleton<IOutboxHandler, HeartbeatRoundTripHandler>();
        services.AddFunction<HeartbeatFunction>(HeartbeatFunction.Name);
        services.AddSingleton<BranchStore>();

        // Loan application workflow.
        services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.Section)
            .PostConfigure<IHostEnvironment>((o, env) =>
            {
                if (env.IsDevelopment() && o.Committee.Members.Count == 0)
                {
                    o.Committee.Members = [.. DemoData.Committee];
                    o.Committee.Chair ??= DemoData.CommitteeChair;
                }
            })
            .Validate(o => !o.Problems().Any(), "Workflow settings are invalid: see the Workflow section in README.md.")
            .ValidateOnStart();
        services.AddOptions<StateCacheOptions>().BindConfiguration(StateCacheOptions.Section)
            .Validate(o => o.Entries >= 0 && o.IdleFor > TimeSpan.Zero, "Workflow:StateCache:Entries must be 0 or more and IdleFor positive.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ApplicationStateCache(sp.GetRequiredService<IOptions<StateCacheOptions>>().Value));
        services.AddSingleton<WorkflowPolicySource>(); // app settings + the HQ workflow settings in force (Features/Authority)
        services.AddTransient(sp => sp.GetRequiredService<WorkflowPolicySource>().Current);
        services.AddSingleton<ApplicationStore>();
        services.AddSingleton<MatrixStore>();
        services.AddHostedService(sp => sp.GetRequiredService<MatrixStore>());
        services.AddSingleton<WorkflowService>();
        services.AddSingleton<MatrixAdmin>(); // HQ administration of the matrix and settings (Features/Authority).
        services.AddSingleton<WorkflowSettingsAdmin>();
        services.AddHostedService<CommitteeStartupCheck>();
        services.AddHttpContextAccessor();
        services.AddSingleton<WorkflowSignals>(); // the loan orchestration (Features/Workflow) learns of each command
        services.AddSingleton<WorkflowEffectsRunner>();
        services.AddEmbeddedDurableTask();

        services.AddDocuments();

        // Notifications.
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section)
            .Validate(o => !o.Problems().Any(), "Mail settings are invalid: see the Mail section in README.md.")
            .ValidateOnStart();
        services.AddHttpClient(nameof(MailSender));
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<MailSender>();
        services.AddSingleton<MailClaims>();
        services.AddFunction<SendNotificationFunction>(SendNotificationFunction.Name);
        services.AddReports(); // The weekly NPL report (Features/Reports).
        services.AddHostedService<DemoSeeder>(); // Seeds only in Development, unless Demo:Seed is false.
        services.AddNplMonitoring();

        return services;
    }

    /// <summary>
    /// Under the Functions host: listen on loopback at FUNCTIONS_CUSTOMHANDLER_PORT. On its own: the URLs
    /// given (ASPNETCORE_URLS, --urls), else http://localhost:7071 like <c>func start</c>.
    /// </summary>
    private static void ConfigureServer(WebApplicationBuilder builder)
    {
        if (HostEnvironment.CustomHandlerPort is { } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
        else if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultLocalUrl);
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel.Limits.MaxRequestBodySize =
            context.Configuration.GetValue<long?>($"{CreditFlowsOptions.Section}:{nameof(CreditFlowsOptions.MaxRequestBodyBytes)}") ?? new CreditFlowsOptions().MaxRequestBodyBytes);
    }
}
