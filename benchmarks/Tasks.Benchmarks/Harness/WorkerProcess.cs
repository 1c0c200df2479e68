using System.Diagnostics;
using System.Threading.Channels;

namespace Tasks.Benchmarks.Harness;

/// <summary>The harness's handle on one worker process: starts it, sends commands, reads answers, stops it.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const int StderrLines = 40;

    private readonly Process _process;
    private readonly string _name;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly Queue<string> _stderr = new();
    private readonly Task _readOut;
    private readonly Task _readErr;

    private WorkerProcess(Process process, string name)
    {
        _process = process;
        _name = name;
        _readOut = Task.Run(ReadStdoutAsync);
        _readErr = Task.Run(ReadStderrAsync);
    }

    /// <summary>Starts <c>dotnet exec Tasks.Benchmarks.dll worker ...</c> and waits until its consumer runs.</summary>
    public static async Task<WorkerProcess> StartAsync(string row, SideKind kind, SideContext context, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        foreach (var a in new[] { WorkerProtocol.Verb, row, kind.ToString().ToLowerInvariant(), context.RunId, WorkerProtocol.Num(context.Concurrency), context.Mode.ToString().ToLowerInvariant() })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the worker process");
        var worker = new WorkerProcess(process, $"{row}/{kind} worker (pid {process.Id})");
        try
        {
            await worker.ReadReplyAsync(timeout).ConfigureAwait(false);
        }
        catch
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return worker;
    }

    /// <summary>The CPU time the worker process has used so far.</summary>
    public TimeSpan TotalProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Sends <paramref name="command"/> and returns the words after <c>ok</c>.</summary>
    /// <exception cref="InvalidOperationException">The worker answered with an error, exited, or did not answer in time; the message includes its last standard-error lines.</exception>
    public async Task<string[]> SendAsync(string command, TimeSpan timeout)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw Failure($"could not send '{command}' ({ex.Message})");
        }

        return await ReadReplyAsync(timeout, command).ConfigureAwait(false);
    }

    /// <summary>Asks the worker to exit; kills it if it does not within a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    await SendAsync("exit", TimeSpan.FromSeconds(15)).ConfigureAwait(false);
                }
                catch (InvalidOperationException)
                {
                    // Already broken; the kill below ends it.
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().ConfigureAwait(false);
                }
            }

            await Task.WhenAll(_readOut, _readErr).ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task<string[]> ReadReplyAsync(TimeSpan timeout, string? command = null)
    {
        string line;
        try
        {
            line = await _replies.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Failure($"no answer to '{command ?? "(start)"}' within {timeout.TotalSeconds:0} s");
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            await _readErr.ConfigureAwait(false);
            throw Failure($"exited with code {_process.ExitCode} before answering '{command ?? "(start)"}'");
        }

        if (line.StartsWith("error ", StringComparison.Ordinal))
        {
            throw Failure(line["error ".Length..]);
        }

        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words[0] is "ok" or "ready" ? words[1..] : throw Failure($"unexpected answer '{line}'");
    }

    private InvalidOperationException Failure(string message)
    {
        string[] tail;
        lock (_stderr)
        {
            tail = _stderr.ToArray();
        }

        var details = tail.Length == 0 ? string.Empty : $"{Environment.NewLine}  last lines of its standard error:{Environment.NewLine}    " + string.Join(Environment.NewLine + "    ", tail);
        return new InvalidOperationException($"{_name}: {message}{details}");
    }

    private async Task ReadStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(WorkerProtocol.Prefix, StringComparison.Ordinal))
            {
                _replies.Writer.TryWrite(line[WorkerProtocol.Prefix.Length..]);
            }
        }

        _replies.Writer.TryComplete();
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (_stderr)
            {
                _stderr.Enqueue(line);
                if (_stderr.Count > StderrLines)
                {
                    _stderr.Dequeue();
                }
            }
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";
}
