// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class HqSettingsFunctions(ApiDispatcher api)
{
    [Function("HqSettings_Classification_Drafts_Post")]
    public Task<IResult> HqSettings_Classification_Drafts_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/classification/drafts")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Drafts_Post", req, durable);

    [Function("HqSettings_Classification_Drafts_V_Approve_Post")]
    public Task<IResult> HqSettings_Classification_Drafts_V_Approve_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/classification/drafts/{v}/approve")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Drafts_V_Approve_Post", req, durable);

    [Function("HqSettings_Classification_Drafts_V_Put")]
    public Task<IResult> HqSettings_Classification_Drafts_V_Put([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "hq-settings/classification/drafts/{v}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Drafts_V_Put", req, durable);

    [Function("HqSettings_Classification_Drafts_V_Reject_Post")]
    public Task<IResult> HqSettings_Classification_Drafts_V_Reject_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/classification/drafts/{v}/reject")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Drafts_V_Reject_Post", req, durable);

    [Function("HqSettings_Classification_Drafts_V_Submit_Post")]
    public Task<IResult> HqSettings_Classification_Drafts_V_Submit_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/classification/drafts/{v}/submit")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Drafts_V_Submit_Post", req, durable);

    [Function("HqSettings_Classification_Get")]
    public Task<IResult> HqSettings_Classification_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hq-settings/classification")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Get", req, durable);

    [Function("HqSettings_Classification_Versions_V_Get")]
    public Task<IResult> HqSettings_Classification_Versions_V_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hq-settings/classification/versions/{v}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Classification_Versions_V_Get", req, durable);

    [Function("HqSettings_Workflow_Drafts_Post")]
    public Task<IResult> HqSettings_Workflow_Drafts_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/workflow/drafts")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Drafts_Post", req, durable);

    [Function("HqSettings_Workflow_Drafts_V_Approve_Post")]
    public Task<IResult> HqSettings_Workflow_Drafts_V_Approve_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/workflow/drafts/{v}/approve")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Drafts_V_Approve_Post", req, durable);

    [Function("HqSettings_Workflow_Drafts_V_Put")]
    public Task<IResult> HqSettings_Workflow_Drafts_V_Put([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "hq-settings/workflow/drafts/{v}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Drafts_V_Put", req, durable);

    [Function("HqSettings_Workflow_Drafts_V_Reject_Post")]
    public Task<IResult> HqSettings_Workflow_Drafts_V_Reject_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/workflow/drafts/{v}/reject")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Drafts_V_Reject_Post", req, durable);

    [Function("HqSettings_Workflow_Drafts_V_Submit_Post")]
    public Task<IResult> HqSettings_Workflow_Drafts_V_Submit_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hq-settings/workflow/drafts/{v}/submit")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Drafts_V_Submit_Post", req, durable);

    [Function("HqSettings_Workflow_Get")]
    public Task<IResult> HqSettings_Workflow_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hq-settings/workflow")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Get", req, durable);

    [Function("HqSettings_Workflow_Versions_V_Get")]
    public Task<IResult> HqSettings_Workflow_Versions_V_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hq-settings/workflow/versions/{v}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("HqSettings_Workflow_Versions_V_Get", req, durable);
}
