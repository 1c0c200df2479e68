using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tasks.EndToEnd.Tests;

/// <summary>The sample app as a real process on 127.0.0.1, configured through environment variables only.</summary>
internal sealed class PagesAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PagesAppProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<PagesAppProcess> StartAsync(IEnumerable<KeyValuePair<string, string?>> configuration, string mailFolder)
    {
        var port = FreePort();
        var dll = Path.Combine(SiblingOutput("PagesApp"), "PagesApp.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Mail__Folder"] = mailFolder;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in configuration)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start PagesApp");
        var app = new PagesAppProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"PagesApp exited with {process.ExitCode}:\n{app.Log}");
            }

            try
            {
                if ((await http.GetAsync("/")).IsSuccessStatusCode)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"PagesApp did not answer within 60 s:\n{app.Log}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The output folder of a project built beside this test project (same configuration and framework).</summary>
    public static string SiblingOutput(string project)
    {
        // .../tests/Tasks.EndToEnd.Tests/bin/<Configuration>/net10.0/ -> repository root
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var framework = bin.Name;
        var configuration = bin.Parent!.Name;
        var root = bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var folder = project == "PagesApp" ? Path.Combine(root, "samples", "PagesApp") : Path.Combine(root, "src", project);
        return Path.Combine(folder, "bin", configuration, framework);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
