// Reference design for the mac8 lab (instructors only: not handed to students).
//
// A signed 8x8 multiply-accumulate unit with a 20-bit accumulator, the inner step of a
// systolic-array NPU processing element, plus a ReLU + requantise stage on the output:
//   relu_q = clamp(acc >>> 4, 0, 255)
module RefModule (
    input  wire               clk,
    input  wire               rst,    // synchronous, active high: acc <= 0
    input  wire               en,     // when high, accumulate this cycle's product
    input  wire               clr,    // with en: load a*b instead of acc + a*b
    input  wire signed [7:0]  a,
    input  wire signed [7:0]  b,
    output reg  signed [19:0] acc,
    output reg         [7:0]  relu_q
);
    wire signed [15:0] product = a * b;
    wire signed [19:0] shifted = acc >>> 4;

    always @(posedge clk) begin
        if (rst)
            acc <= 20'sd0;
        else if (en)
            acc <= (clr ? 20'sd0 : acc) + {{4{product[15]}}, product};
    end

    always @(*) begin
        if (shifted < 0)
            relu_q = 8'd0;
        else if (shifted > 20'sd255)
            relu_q = 8'd255;
        else
            relu_q = shifted[7:0];
    end
endmodule
