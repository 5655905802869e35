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
using Microsoft.Azure.Functions.Worker.Builder;
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

/// <summary>
/// The app's composition, for its two surfaces: the embedded default (<see cref="AddCreditFlows"/>, <see cref="UseCreditFlows"/>)
/// and the isolated worker under the Functions host (<see cref="AddCreditFlowsWorker"/>). Both register the same services
/// (<see cref="AddCreditFlowsServices"/>), run the same middleware (<see cref="UseCreditFlowsPipeline"/>) and serve one
/// route table (<see cref="MapCreditFlowsApi"/>).
/// </summary>
public static class CreditFlowsApp
{
    public const string DefaultLocalUrl = "http://localhost:7071";

    /// <summary>
    /// What both surfaces need: options, clock, edges, identity, storage, the features, their functions' handlers.
    /// Settings are bound when services are built (BindConfiguration), not from <paramref name="configuration"/> here, so
    /// that tests (and any later source) can set them; <paramref name="configuration"/> is for choices made at registration.
    /// </summary>
    public static IServiceCollection AddCreditFlowsServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CreditFlowsOptions>().BindConfiguration(CreditFlowsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "CreditFlows:TimeZone is not a time zone this machine knows.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new BusinessClock(sp.GetRequiredService<TimeProvider>(),
            TimeZoneInfo.FindSystemTimeZoneById(sp.GetRequiredService<IOptions<CreditFlowsOptions>>().Value.TimeZone)));
        services.AddCreditFlowsProblemDetails();
        services.AddCreditFlowsIdentity();
        services.AddCreditFlowsStorage();
        services.AddFunctionCatalog();
        services.AddSingleton<ApiDispatcher>();
        services.AddFeatures();
        services.AddCreditFlowsOpenApi();
        return services;
    }

    /// <summary>The embedded default: Kestrel on localhost:7071 (or the URLs given), the local runner, console logs.</summary>
    public static WebApplicationBuilder AddCreditFlows(this WebApplicationBuilder builder)
    {
        ConfigureServer(builder);
        builder.Services.AddCreditFlowsServices(builder.Configuration);
        builder.Services.AddEmbeddedDurableTask(); // the Durable engine the Functions host would otherwise run
        builder.Services.AddLocalRunner();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        return builder;
    }

    /// <summary>
    /// Under the Functions host: the same services. The host owns the triggers, the HTTP front door and its limits; the
    /// [Function] wrappers (Functions/) hand HTTP requests to <see cref="ApiDispatcher"/> and triggers to the handlers.
    /// The OpenAPI document describes the route table rather than the worker's own endpoints (one per function).
    /// </summary>
    public static FunctionsApplicationBuilder AddCreditFlowsWorker(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddCreditFlowsServices(builder.Configuration);
        builder.Services.AddSingleton<EndpointDataSource>(sp => new DefaultEndpointDataSource(sp.GetRequiredService<ApiDispatcher>().Endpoints.Values));
        return builder;
    }

    /// <summary>The middleware every API request runs, in both surfaces, before its endpoint.</summary>
    public static IApplicationBuilder UseCreditFlowsPipeline(this IApplicationBuilder app)
    {
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The embedded app: the shared pipeline and route table, and the routes that exist only here.</summary>
    public static WebApplication UseCreditFlows(this WebApplication app)
    {
        app.UseCreditFlowsPipeline();
        app.MapCreditFlowsApi();

        // Not under the host: it reserves /admin for its own admin API (POST /admin/functions/{name} with the master key).
        app.MapLocalRunNowEndpoint();
        if (app.Environment.IsDevelopment())
        {
            app.MapDevEndpoints();
            app.MapMailCaptureEndpoints();
            app.MapNplDevEndpoints();
        }

        return app;
    }

    /// <summary>
    /// The API: every route under <c>/api</c>, each named by <see cref="ApiRoutes.Name"/>. The embedded app maps it; under
    /// the host, each route is one HTTP [Function] of that name and route (Functions/Http/), dispatched by <see cref="ApiDispatcher"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapCreditFlowsApi(this IEndpointRouteBuilder endpoints)
    {
        var root = endpoints.MapGroup("/api");
        ((IEndpointConventionBuilder)root).Finally(ApiRoutes.Name); // after each endpoint's own WithName
        root.MapHealthEndpoints();
        root.MapApiDocs();
        root.MapRunNowEndpoint();
        var api = root.MapGroup(string.Empty).RequireAuthorization(IdentityExtensions.MemberPolicy);
        api.MapMeEndpoints();
        api.MapBranchEndpoints();
        api.MapApplicationEndpoints();
        api.MapMailFailureEndpoints();
        api.MapAuthorityEndpoints();
        api.MapHqSettingsEndpoints();
        api.MapNplEndpoints();
        api.MapDocumentEndpoints();
        api.MapReportEndpoints();
        return endpoints;
    }

    private static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddSingleton<TransactionalOutbox>();
        services.AddSingleton<OutboxNotifier>();
        services.AddLegacyQueueFunction<OutboxDispatchFunction>(OutboxDispatchFunction.Name);
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
        services.AddScoped<InvocationDurableClient>();
        services.AddFunction<WorkflowReconcileFunction>(WorkflowReconcileFunction.Name);

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

    /// <summary>The URLs given (ASPNETCORE_URLS, --urls), else http://localhost:7071 like <c>func start</c>; the body size limit.</summary>
    private static void ConfigureServer(WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultLocalUrl);
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) => kestrel.Limits.MaxRequestBodySize =
            context.Configuration.GetValue<long?>($"{CreditFlowsOptions.Section}:{nameof(CreditFlowsOptions.MaxRequestBodyBytes)}") ?? new CreditFlowsOptions().MaxRequestBodyBytes);
    }
}
