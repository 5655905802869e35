using System.Net.Sockets;
using CreditFlows.Functions.Features.Workflow;
using CreditFlows.Functions.Storage;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Hosting.Durable;

/// <summary>
/// The embedded default's Durable engine. Under the Functions host the Durable extension runs the task hub on
/// the app's storage and the worker's orchestrators and activities are the <c>[Function]</c>s. Without the host,
/// this runs the same engine in-process: <c>DurableTask.AzureStorage</c>'s orchestration service (the backend
/// Durable Functions uses) on the same storage, behind the Durable Task SDK's gRPC sidecar on a private Unix
/// socket, with the SDK's worker and client connected to it and the same orchestrator and activity classes
/// registered. State lives in storage (History/Instances tables, control and work-item queues), so an
/// orchestration survives the process.
/// </summary>
public static class EmbeddedDurableTask
{
    public static IServiceCollection AddEmbeddedDurableTask(this IServiceCollection services)
    {
        services.AddOptions<DurableTaskOptions>().BindConfiguration(DurableTaskOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EmbeddedSidecar>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSidecar>()); // before the worker: it connects to the sidecar

        var before = services.Count;
        services.AddDurableTaskWorker(builder =>
        {
            builder.AddTasks(LoanWorkflowRegistry.Register);
            builder.UseGrpc();
            builder.Configure(o => o.Versioning = new DurableTaskWorkerOptions.VersioningOptions { DefaultVersion = LoanWorkflow.Version });
        });

        // The worker runs only where the engine is enabled (DurableTask:Enabled, read when the app starts).
        var worker = services.Skip(before).Last(d => d.ServiceType == typeof(IHostedService));
        services.Remove(worker);
        services.AddSingleton<IHostedService>(sp => new WhenEnabled(
            (IHostedService)(worker.ImplementationFactory?.Invoke(sp) ?? worker.ImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, worker.ImplementationType!)),
            sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value.Enabled));
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc();
            builder.RegisterDirectly();
        });
        services.AddOptions<Microsoft.DurableTask.Worker.Grpc.GrpcDurableTaskWorkerOptions>(Microsoft.Extensions.Options.Options.DefaultName)
            .Configure<EmbeddedSidecar>((o, sidecar) => o.Channel = sidecar.Channel);
        services.AddOptions<Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClientOptions>(Microsoft.Extensions.Options.Options.DefaultName)
            .Configure<EmbeddedSidecar>((o, sidecar) => o.Channel = sidecar.Channel);
        return services;
    }
}

/// <summary>Starts and stops a hosted service only when enabled.</summary>
internal sealed class WhenEnabled(IHostedService inner, bool enabled) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => enabled ? inner.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => enabled ? inner.StopAsync(cancellationToken) : Task.CompletedTask;
}

/// <summary>The gRPC sidecar over the Azure Storage orchestration service, on a Unix socket only this process uses.</summary>
public sealed partial class EmbeddedSidecar : IHostedService, IAsyncDisposable
{
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"creditflows-dt-{Guid.NewGuid():N}.sock");
    private readonly DurableTaskOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly string _connectionString;
    private WebApplication? _host;
    private GuardedOrchestrationService? _service;

    public EmbeddedSidecar(IOptions<DurableTaskOptions> options, IConfiguration configuration, ILoggerFactory loggers)
    {
        _options = options.Value;
        _loggers = loggers;
        _logger = loggers.CreateLogger<EmbeddedSidecar>();
        _connectionString = configuration[StorageConnection.SettingName] is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"The embedded Durable engine needs {StorageConnection.SettingName} as a connection string (Azurite locally); with a managed identity, run under the Functions host.");
        Channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socket), cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            },
        });
    }

    public GrpcChannel Channel { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var storage = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = _options.HubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(_connectionString),
            PartitionCount = _options.PartitionCount,
            MaxQueuePollingInterval = _options.MaxQueuePollingInterval,
            LeaseInterval = _options.LeaseInterval,
            LeaseRenewInterval = _options.LeaseRenewInterval,
            LeaseAcquireInterval = _options.LeaseRenewInterval,
            UseAppLease = false,
            WorkItemQueueVisibilityTimeout = _options.WorkItemVisibilityTimeout,
            ControlQueueVisibilityTimeout = _options.WorkItemVisibilityTimeout,
            LoggerFactory = _loggers,
        });
        await storage.CreateIfNotExistsAsync();
        _service = new GuardedOrchestrationService(storage, _logger);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggers);
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(_socket, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(_service);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(storage); // queries and purges too (the sidecar looks for those interfaces)
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        _host = builder.Build();
        _host.MapGrpcService<TaskHubGrpcServer>();
        await _host.StartAsync(cancellationToken);
        LogStarted(_logger, _options.HubName, _options.PartitionCount);
    }

    /// <summary>
    /// Stops dispatching and gives up the partition leases within <see cref="DurableTaskOptions.StopTimeout"/>
    /// (the sidecar's own stop would wait up to an hour for running work).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_service is not null)
        {
            // Forced after the limit: leases are given up either way (a stopped process holds none).
            var stop = _service.StopAsync(isForced: false);
            await Task.WhenAny(stop, Task.Delay(_options.StopTimeout, CancellationToken.None));
        }

        if (_host is not null)
        {
            using var limit = new CancellationTokenSource(_options.StopTimeout);
            await _host.StopAsync(limit.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        File.Delete(_socket);
    }

    [LoggerMessage(LogLevel.Information, "Durable task hub {Hub} ({Partitions} partition(s)) on the app's storage, embedded")]
    private static partial void LogStarted(ILogger logger, string hub, int partitions);
}
