using System.Text;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// Polls one queue for one function with the Functions host's semantics: up to <c>batchSize</c> messages at a
/// time, an empty queue polled with randomized exponential back-off up to <c>maxPollingInterval</c>, a failed
/// message made visible again after <c>visibilityTimeout</c>, and after <c>maxDequeueCount</c> failed
/// attempts the message copied unchanged to <c>{queue}-poison</c> and deleted. Messages are base64 unless
/// host.json says <c>messageEncoding: none</c>; the handler gets the decoded text and the dequeue count. While a function runs, its message's invisibility is renewed
/// every half <c>LocalRunner:MessageLeasePeriod</c>, as the host does, so a long run is not handed to a second
/// instance meanwhile.
/// </summary>
public sealed partial class QueueTriggerListener(
    string function,
    QueueClient queue,
    QueueClient poisonQueue,
    QueueSettings settings,
    LocalRunnerOptions options,
    FunctionInvoker invoker,
    TimeProvider time,
    ILogger logger)
{
    private bool _poisonQueueReady;

    public async Task RunAsync(CancellationToken stopping)
    {
        var delay = options.MinimumPollingInterval;
        while (!stopping.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(settings.BatchSize, options.MessageLeasePeriod, stopping)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                messages = [];
            }

            if (messages.Length == 0)
            {
                await Task.Delay(Jitter(delay), time, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxPollingInterval.Ticks));
                continue;
            }

            delay = options.MinimumPollingInterval;
            try
            {
                await Task.WhenAll(messages.Select(message => ProcessAsync(message, stopping)));
            }
            catch (RequestFailedException ex)
            {
                // E.g. a pop receipt that expired while the function ran: the message reappears and is retried.
                LogStorageFailed(logger, function, ex);
            }
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, cancellationToken);
            return;
        }

        var succeeded = false;
        var popReceipt = message.PopReceipt;
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewAsync(message.MessageId, () => popReceipt, receipt => popReceipt = receipt, running.Token);
        if (TryDecode(message.MessageText, out var text))
        {
            var outcome = await invoker.RunQueueAsync(function, text, message.DequeueCount, cancellationToken);
            succeeded = outcome.Succeeded;
            if (!succeeded)
            {
                LogFailed(logger, function, message.MessageId, message.DequeueCount, outcome.Error);
            }
        }
        else
        {
            LogUndecodable(logger, function, message.MessageId);
        }

        await running.CancelAsync();
        await renewal;
        if (succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
        }
        else if (message.DequeueCount >= settings.MaxDequeueCount)
        {
            await MoveToPoisonAsync(message, popReceipt, cancellationToken);
        }
        else
        {
            await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Keeps a message invisible while its function runs; each renewal gives a new pop receipt.</summary>
    private async Task RenewAsync(string messageId, Func<string> popReceipt, Action<string> renewed, CancellationToken running)
    {
        var every = options.MessageLeasePeriod / 2;
        try
        {
            while (true)
            {
                await Task.Delay(every, time, running);
                var receipt = await queue.UpdateMessageAsync(messageId, popReceipt(), visibilityTimeout: options.MessageLeasePeriod, cancellationToken: running);
                renewed(receipt.Value.PopReceipt);
                LogRenewed(logger, function, messageId);
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
        }
        catch (RequestFailedException ex)
        {
            LogStorageFailed(logger, function, ex);
        }
    }

    private Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken) => MoveToPoisonAsync(message, message.PopReceipt, cancellationToken);

    private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt, CancellationToken cancellationToken)
    {
        if (!_poisonQueueReady)
        {
            await poisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _poisonQueueReady = true;
        }

        await poisonQueue.SendMessageAsync(message.MessageText, cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, cancellationToken);
        LogPoisoned(logger, function, message.MessageId, message.DequeueCount, poisonQueue.Name);
    }

    private bool TryDecode(string raw, out string text)
    {
        if (!settings.Base64)
        {
            text = raw;
            return true;
        }

        var bytes = new byte[raw.Length];
        if (Convert.TryFromBase64String(raw, bytes, out var length))
        {
            text = Encoding.UTF8.GetString(bytes, 0, length);
            return true;
        }

        text = string.Empty;
        return false;
    }

    /// <summary>±20% so that instances polling one queue drift apart.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + (Random.Shared.NextDouble() * 0.4));

    [LoggerMessage(LogLevel.Warning, "Queue function {Function} failed on message {MessageId} (attempt {DequeueCount}): {Error}")]
    private static partial void LogFailed(ILogger logger, string function, string messageId, long dequeueCount, string? error);

    [LoggerMessage(LogLevel.Debug, "Queue function {Function}: still running on message {MessageId}; kept invisible")]
    private static partial void LogRenewed(ILogger logger, string function, string messageId);

    [LoggerMessage(LogLevel.Warning, "Queue function {Function}: a storage call failed while settling messages")]
    private static partial void LogStorageFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Queue function {Function}: message {MessageId} is not base64; counted as a failed attempt")]
    private static partial void LogUndecodable(ILogger logger, string function, string messageId);

    [LoggerMessage(LogLevel.Error, "Queue function {Function}: message {MessageId} failed {DequeueCount} times and was moved to {PoisonQueue}")]
    private static partial void LogPoisoned(ILogger logger, string function, string messageId, long dequeueCount, string poisonQueue);
}
