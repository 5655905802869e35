using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CreditFlows.Functions.Storage;

public static class StorageExtensions
{
    /// <summary>Keyed name of the queue client that reads and writes message text as stored (the local runner's).</summary>
    public const string RawQueues = "raw";

    /// <summary>
    /// Table, Blob and Queue service clients, created once and shared (they are thread-safe), from the
    /// <c>AzureWebJobsStorage</c> connection the Functions host uses too: a connection string
    /// (<c>UseDevelopmentStorage=true</c> locally), or in Azure the identity-based form
    /// <c>AzureWebJobsStorage__tableServiceUri</c> / <c>__blobServiceUri</c> / <c>__queueServiceUri</c>
    /// with a managed identity (<c>AzureWebJobsStorage__clientId</c> picks a user-assigned one).
    /// </summary>
    public static IServiceCollection AddCreditFlowsStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp => StorageConnection.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());
        // Producers write base64, which is what the host's queue trigger expects by default.
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient(QueueMessageEncoding.Base64));
        services.AddKeyedSingleton(RawQueues, (sp, _) => sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient(QueueMessageEncoding.None));
        services.AddHostedService<StorageInitializer>();
        return services;
    }
}

/// <summary>How the app reaches storage, read from the <c>AzureWebJobsStorage</c> settings.</summary>
public sealed class StorageConnection
{
    public const string SettingName = "AzureWebJobsStorage";

    private readonly string? _connectionString;
    private readonly Uri? _tableUri;
    private readonly Uri? _blobUri;
    private readonly Uri? _queueUri;
    private readonly TokenCredential? _credential;

    private StorageConnection(string? connectionString, Uri? tableUri, Uri? blobUri, Uri? queueUri, TokenCredential? credential)
    {
        _connectionString = connectionString;
        _tableUri = tableUri;
        _blobUri = blobUri;
        _queueUri = queueUri;
        _credential = credential;
    }

    public static StorageConnection From(IConfiguration configuration)
    {
        var section = configuration.GetSection(SettingName);
        var connectionString = section.Value;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageConnection(connectionString, null, null, null, null);
        }

        var table = ServiceUri(section, "tableServiceUri");
        var blob = ServiceUri(section, "blobServiceUri");
        var queue = ServiceUri(section, "queueServiceUri");
        if (table is null || blob is null || queue is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set {SettingName} to a connection string (UseDevelopmentStorage=true for Azurite), " +
                $"or set {SettingName}__tableServiceUri, {SettingName}__blobServiceUri and {SettingName}__queueServiceUri for a managed identity.");
        }

        var clientId = section["clientId"];
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
        });
        return new StorageConnection(null, table, blob, queue, credential);
    }

    public TableServiceClient CreateTableServiceClient() =>
        _credential is null ? new TableServiceClient(_connectionString) : new TableServiceClient(_tableUri, _credential);

    public BlobServiceClient CreateBlobServiceClient() =>
        _credential is null ? new BlobServiceClient(_connectionString) : new BlobServiceClient(_blobUri, _credential);

    public QueueServiceClient CreateQueueServiceClient(QueueMessageEncoding encoding)
    {
        var options = new QueueClientOptions { MessageEncoding = encoding };
        return _credential is null ? new QueueServiceClient(_connectionString, options) : new QueueServiceClient(_queueUri, _credential, options);
    }

    private static Uri? ServiceUri(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException($"{SettingName}__{key} is not an absolute URI: '{text}'.");
    }
}
