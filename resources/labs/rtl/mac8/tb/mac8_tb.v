// HDLBits-style testbench for the mac8 lab.
//
// Drives the student's top_module and the instructors' RefModule with the same random stimulus,
// compares every output on every cycle, and ends with the summary line the farm grades on:
//   Mismatches: N in M samples
// The number of samples is taken from the +samples=N plusarg (default 1000), the seed from
// +seed=N. The stimulus comes from the bench's own xorshift generator, not $random, so that
// Icarus Verilog and Verilator see exactly the same samples.
`timescale 1ns / 1ps
module tb;
    reg clk = 1'b0;
    always #5 clk = ~clk;

    reg               rst, en, clr;
    reg signed [7:0]  a, b;
    wire signed [19:0] acc_dut, acc_ref;
    wire        [7:0]  q_dut, q_ref;

    top_module dut   (.clk(clk), .rst(rst), .en(en), .clr(clr), .a(a), .b(b),
                      .acc(acc_dut), .relu_q(q_dut));
    RefModule  u_ref (.clk(clk), .rst(rst), .en(en), .clr(clr), .a(a), .b(b),
                      .acc(acc_ref), .relu_q(q_ref));

    integer samples, i, errors, errors_acc, errors_q;
    time    first_acc, first_q;
    reg [31:0] seed;

    // Marsaglia's xorshift32: one step of the bench's pseudo-random sequence.
    function [31:0] xorshift32(input [31:0] x);
        reg [31:0] y;
        begin
            y = x ^ (x << 13);
            y = y ^ (y >> 17);
            xorshift32 = y ^ (y << 5);
        end
    endfunction

    initial begin
        if (!$value$plusargs("samples=%d", samples)) samples = 1000;
        if (!$value$plusargs("seed=%d", seed) || seed == 0) seed = 32'h2545f491;
        errors = 0; errors_acc = 0; errors_q = 0; first_acc = 0; first_q = 0;
        rst = 1'b1; en = 1'b0; clr = 1'b0; a = 8'sd0; b = 8'sd0;
        @(negedge clk);
        @(negedge clk);
        for (i = 0; i < samples; i = i + 1) begin
            // Mostly accumulate, now and then clear or reset, so that the accumulator both
            // grows past the ReLU saturation point and goes negative.
            seed = xorshift32(seed);
            a    = seed[7:0];
            b    = seed[15:8];
            en   = seed[18:16] != 3'd0;     // 7 cycles in 8
            clr  = seed[23:19] == 5'd0;     // 1 in 32
            rst  = seed[30:24] == 7'd0;     // 1 in 128
            @(negedge clk);
            if (acc_dut !== acc_ref || q_dut !== q_ref) errors = errors + 1;
            if (acc_dut !== acc_ref) begin
                if (errors_acc == 0) first_acc = $time;
                errors_acc = errors_acc + 1;
            end
            if (q_dut !== q_ref) begin
                if (errors_q == 0) first_q = $time;
                errors_q = errors_q + 1;
            end
        end
        if (errors_acc == 0) $display("Hint: Output '%s' has no mismatches.", "acc");
        else $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
                      "acc", errors_acc, first_acc);
        if (errors_q == 0) $display("Hint: Output '%s' has no mismatches.", "relu_q");
        else $display("Hint: Output '%s' has %0d mismatches. First mismatch occurred at time %0d.",
                      "relu_q", errors_q, first_q);
        $display("Hint: Total mismatched samples is %0d out of %0d samples", errors, samples);
        $display("Simulation finished at %0d ps", $time);
        $display("Mismatches: %0d in %0d samples", errors, samples);
        $finish;
    end
endmodule
