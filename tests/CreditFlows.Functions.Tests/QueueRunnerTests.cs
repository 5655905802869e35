using System.Text;
using Azure.Storage.Queues;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>The local runner's queue polling, against real Azurite; the test function comes through the catalog.</summary>
public class QueueRunnerTests
{
    private static readonly QueueServiceClient Producer = new(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    private static readonly QueueServiceClient Raw = new(Azurite.ConnectionString);

    private static async Task<(ScriptRoot Root, string Queue)> QueueFunctionAsync()
    {
        var queue = $"q{Guid.NewGuid():N}";
        await Producer.GetQueueClient(queue).CreateAsync();
        return (new ScriptRoot(ScriptRoot.HostJson(["Worker"])), queue);
    }

    private static readonly QueueBinding Binding = new("%WorkerQueue%");

    private static TestApp App(ScriptRoot root, string queue, RecordingFunction function) =>
        new TestApp(settings: new Dictionary<string, string?>
        {
            ["LocalRunner:Enabled"] = "true",
            ["FunctionApp:ScriptRoot"] = root.Path,
            ["WorkerQueue"] = queue,
        }).WithServices(s => s.AddTestFunction("Worker", Binding, function));

    [Theory]
    [InlineData("{\"loanId\":\"L-1\",\"amount\":\"12000.00\"}")]
    [InlineData("plain text 贷款")]
    [InlineData("\"a quoted string\"")]
    public async Task A_message_is_processed_with_its_text_intact_and_deleted(string text)
    {
        var (root, queue) = await QueueFunctionAsync();
        using var _ = root;
        var function = new RecordingFunction();
        await using var app = App(root, queue, function);
        app.Start();

        await Producer.GetQueueClient(queue).SendMessageAsync(text);

        Assert.True(await RecordingFunction.EventuallyAsync(() => !function.Calls.IsEmpty, TimeSpan.FromSeconds(15)));
        var call = function.Calls.Single();
        Assert.Equal(text, call.Message);
        Assert.Equal(1, call.DequeueCount);
        Assert.True(await EmptyEventuallyAsync(Raw.GetQueueClient(queue)));
    }

    [Fact]
    public async Task A_message_whose_function_runs_past_the_lease_stays_invisible_and_runs_once()
    {
        var (root, queue) = await QueueFunctionAsync();
        using var _ = root;
        var function = new SlowFunction(TimeSpan.FromSeconds(5));
        TestApp Instance() => new TestApp(settings: new Dictionary<string, string?>
        {
            ["LocalRunner:Enabled"] = "true",
            ["LocalRunner:MessageLeasePeriod"] = "00:00:02",
            ["FunctionApp:ScriptRoot"] = root.Path,
            ["WorkerQueue"] = queue,
        }).WithServices(s => s.AddTestFunction("Worker", Binding, function));

        // Two instances poll the queue, as when the app is scaled out: the idle one would take a resurfaced message.
        await using var first = Instance();
        await using var second = Instance();
        first.Start();
        second.Start();

        await Producer.GetQueueClient(queue).SendMessageAsync("a long job");

        Assert.True(await RecordingFunction.EventuallyAsync(() => function.Finished == 1, TimeSpan.FromSeconds(20)));
        Assert.True(await EmptyEventuallyAsync(Raw.GetQueueClient(queue)));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, function.Started); // Without renewal the message resurfaces after 2 s and the other instance runs it too.
    }

    [Fact]
    public async Task An_invocation_past_functionTimeout_is_abandoned_as_failed_and_the_message_retried()
    {
        var queue = $"q{Guid.NewGuid():N}";
        await Producer.GetQueueClient(queue).CreateAsync();
        using var root = new ScriptRoot(ScriptRoot.HostJson(["Worker"], functionTimeout: "00:00:02"));
        var function = new SlowFunction(TimeSpan.FromSeconds(30), onlyFirst: true);
        await using var app = new TestApp(settings: new Dictionary<string, string?>
        {
            ["LocalRunner:Enabled"] = "true",
            ["FunctionApp:ScriptRoot"] = root.Path,
            ["WorkerQueue"] = queue,
        }).WithServices(s => s.AddTestFunction("Worker", Binding, function));
        app.Start();

        await Producer.GetQueueClient(queue).SendMessageAsync("too slow once");

        Assert.True(await RecordingFunction.EventuallyAsync(() => function.Finished == 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(2, function.Started);
        Assert.Equal(1, function.Cancelled); // The first run saw its cancellation token fire.
        Assert.True(await EmptyEventuallyAsync(Raw.GetQueueClient(queue)));
    }

    [Fact]
    public async Task A_failing_message_is_retried_and_succeeds_without_reaching_poison()
    {
        var (root, queue) = await QueueFunctionAsync();
        using var _ = root;
        var function = new RecordingFunction(failures: 2);
        await using var app = App(root, queue, function);
        app.Start();

        await Producer.GetQueueClient(queue).SendMessageAsync("retry me");

        Assert.True(await RecordingFunction.EventuallyAsync(() => function.Calls.Count >= 3, TimeSpan.FromSeconds(20)));
        Assert.Equal([1L, 2L, 3L], function.Calls.Select(c => c.DequeueCount));
        Assert.True(await EmptyEventuallyAsync(Raw.GetQueueClient(queue)));
        Assert.False(await Raw.GetQueueClient($"{queue}-poison").ExistsAsync());
    }

    [Fact]
    public async Task After_five_failed_dequeues_the_message_sits_in_the_poison_queue_unchanged()
    {
        var (root, queue) = await QueueFunctionAsync();
        using var _ = root;
        var function = new RecordingFunction(failures: -1);
        await using var app = App(root, queue, function);
        app.Start();

        const string text = "{\"will\":\"fail\"}";
        await Producer.GetQueueClient(queue).SendMessageAsync(text);

        var poison = Raw.GetQueueClient($"{queue}-poison");
        Assert.True(await RecordingFunction.EventuallyAsync(() => function.Calls.Count >= 5, TimeSpan.FromSeconds(30)));
        string? poisoned = null;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (poisoned is null && DateTime.UtcNow < deadline)
        {
            if (await poison.ExistsAsync())
            {
                poisoned = (await poison.PeekMessagesAsync(1)).Value.FirstOrDefault()?.MessageText;
            }

            await Task.Delay(200);
        }

        // Exactly as produced: base64 of the original text.
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), poisoned);
        Assert.Equal(5, function.Calls.Count);
        Assert.True(await EmptyEventuallyAsync(Raw.GetQueueClient(queue)));
    }

    private static async Task<bool> EmptyEventuallyAsync(QueueClient queue)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var properties = await queue.GetPropertiesAsync();
            if (properties.Value.ApproximateMessagesCount == 0)
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>Takes <paramref name="duration"/> (only its first run, with <paramref name="onlyFirst"/>), honouring cancellation.</summary>
    private sealed class SlowFunction(TimeSpan duration, bool onlyFirst = false) : IQueueFunction
    {
        private int _started;
        private int _finished;
        private int _cancelled;

        public int Started => Volatile.Read(ref _started);

        public int Finished => Volatile.Read(ref _finished);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async Task<InvocationResult> RunAsync(string message, long dequeueCount, CancellationToken cancellationToken)
        {
            var run = Interlocked.Increment(ref _started);
            try
            {
                await Task.Delay(onlyFirst && run > 1 ? TimeSpan.Zero : duration, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }

            Interlocked.Increment(ref _finished);
            return InvocationResult.Empty();
        }
    }
}
