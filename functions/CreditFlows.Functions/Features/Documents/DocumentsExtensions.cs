using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Documents;

public static class DocumentsExtensions
{
    /// <summary>Credit files: options (validated at start), the checklist, the index, the blobs, uploads, upload sessions and the orphan sweep.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddOptions<DocumentsOptions>().BindConfiguration(DocumentsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => !o.Problems().Any(), "Documents settings are invalid: see the Documents section in README.md.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DocumentsOptions>>().Value.ToChecklist());
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<DocumentBlobs>();
        services.AddSingleton<DocumentUploads>();
        services.AddSingleton<UploadSessions>();
        services.AddSingleton<DocumentChecklistGate>();
        services.AddFunction<CreditFileSweepFunction>(CreditFileSweepFunction.Name);
        return services;
    }
}
