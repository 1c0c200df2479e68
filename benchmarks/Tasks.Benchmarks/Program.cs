using Tasks.Benchmarks;

// See benchmarks/README.md. `worker ...` is how the harness starts its worker processes.
return await BenchmarkApp.RunAsync(args, Console.Out);
